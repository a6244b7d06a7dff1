// Builds the docs site (`npm run docs`): the API reference and the guides with typedoc
// (typedoc.json, scripts/typedoc-plugin.mjs) and the playground, into docs/site/ or --out DIR.
// The site is built in a temporary folder beside its destination and renamed into place, so a
// failed build leaves the previous site as it was. An existing destination is replaced only
// when this script made it (it holds the marker file); anything else there is refused. (typedoc.json
// sets cleanOutputDir false, so typedoc run by itself never empties a folder either.)
//   node scripts/docs.mjs [--out DIR]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
/** The file that says a folder is a site this script built (and may replace). */
const MARKER = '.chainrule-docs-site';
const MARK_TEXT = 'Built by scripts/docs.mjs (npm run docs); the next build replaces this folder.\n';

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
if (outAt >= 0 && !args[outAt + 1]) fail('--out needs a folder');
const target = resolve(outAt >= 0 ? args[outAt + 1] : join(root, 'docs', 'site'));
const shown = relative(process.cwd(), target) || '.';

function fail(message) {
  console.error(`docs: ${message}`);
  process.exit(1);
}

if (existsSync(target)) {
  if (!statSync(target).isDirectory()) fail(`${shown} exists and is not a folder; it was not built by npm run docs, so it is left as it is (move it away or pass --out)`);
  const marker = join(target, MARKER);
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== MARK_TEXT) {
    fail(`${shown} exists and was not built by npm run docs (no ${MARKER} in it), so it is left as it is (move it away or pass --out; a site typedoc wrote there directly can be deleted)`);
  }
}

mkdirSync(dirname(target), { recursive: true });
const stage = mkdtempSync(join(dirname(target), '.tmp-docs-site-'));
const site = join(stage, 'site');
let error;
try {
  run('typedoc', [join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--options', join(root, 'typedoc.json'), '--out', site, '--playground']);
  run('playground', [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(root, 'playground', 'vite.config.ts'), '--outDir', join(site, 'playground'), '--emptyOutDir']);
  writeFileSync(join(site, MARKER), MARK_TEXT);
  // the old site (ours, checked above) moves into the stage and goes with it
  if (existsSync(target)) renameSync(target, join(stage, 'old'));
  renameSync(site, target);
} catch (e) {
  error = e;
} finally {
  rmSync(stage, { recursive: true, force: true });
}
if (error) fail(error.message);
console.log(`docs: built ${shown}/index.html`);

function run(what, argv) {
  const r = spawnSync(process.execPath, argv, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal}); ${shown} is unchanged`);
}
