#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// `chainrule solve network-n | head -3`: a reader that stops early is not an error
process.stdout.on('error', (err) => process.exit(err.code === 'EPIPE' ? 0 : 1));

// main reports every error itself; this catch only sees a failure to start
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`chainrule: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
