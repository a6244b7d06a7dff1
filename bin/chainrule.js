#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// main reports every error itself; this catch only sees a failure to start
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`chainrule: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
