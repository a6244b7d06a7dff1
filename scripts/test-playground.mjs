#!/usr/bin/env node
// Runs every browser test of the playground in headless Chromium (Debian's /usr/bin/chromium, or
// CHROMIUM=/path): the quick ones npm test also runs, and the longer ones with the speed
// measurement. Screenshots land in tmp/playground/ (gitignored). Skipped, saying why, without Chromium.
//
//   npm run test:playground
import { spawnSync } from 'node:child_process';

const files = ['test/playground-browser.test.ts', 'test/playground/full.browser.ts'];
const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
