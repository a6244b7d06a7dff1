// Builds the CommonJS entry of the package (Node 20 cannot require() an ES module):
//  - dist/cjs/index.cjs: one bundle of src/index.ts; the dependencies stay external, except marked,
//    which ships only as an ES module;
//  - dist/cjs/**/*.d.cts: the declarations of the ESM build that index.d.ts reaches, with their
//    relative imports pointing at .cjs, so TypeScript sees CommonJS types under "require".
// Runs after `tsc -p tsconfig.build.json` (npm run build), which writes dist/**/*.d.ts.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = join(root, 'dist', 'cjs');
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})].filter((d) => d !== 'marked');

rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'src', 'index.ts')],
  outfile: join(out, 'index.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // the package's own "#native-loader" import resolves to its source and is bundled in, so the
  // native backend registers itself in this bundle's backend registry
  conditions: ['source'],
  external,
  // CommonJS has no import.meta.url. The bundle's modules see the URL that the ESM build's
  // dist/backend/native/load.js has: the native loader finds the addon relative to it, and the
  // others only resolve packages from it.
  define: { 'import.meta.url': '__chainrule_import_meta_url' },
  banner: { js: "const __chainrule_import_meta_url = require('node:url').pathToFileURL(require('node:path').join(__dirname, '..', 'backend', 'native', 'load.js')).href;" },
  legalComments: 'inline',
  logLevel: 'warning',
});

// the .d.ts files reachable from index.d.ts, copied as .d.cts
const dist = join(root, 'dist');
const seen = new Set();
const queue = [join(dist, 'index.d.ts')];
// a relative module specifier: in from '...', import('...') and declare module '...' (augmentations)
const spec = /(['"])(\.{1,2}\/[^'"\n]+)\.js\1/g;
while (queue.length) {
  const file = queue.pop();
  if (seen.has(file)) continue;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(spec)) queue.push(resolve(dirname(file), `${m[2]}.d.ts`));
  const cts = text
    .replace(spec, '$1$2.cjs$1')
    // a side-effect import of the ESM loader has no types, and CommonJS types cannot import ESM ones
    .replace(/^import '#native-loader';\n/m, '');
  const target = join(out, relative(dist, file)).replace(/\.d\.ts$/, '.d.cts');
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, cts);
}
console.log(`chainrule: built dist/cjs/index.cjs and ${seen.size} .d.cts files`);
