// Builds the native CPU backend with node-gyp during `npm install`. A failed build never fails
// the install: chainrule then runs on its WebAssembly or TypeScript backend and says so once at
// load time. The build downloads nothing: it uses the Node headers already on the machine.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

if (!existsSync('binding.gyp')) process.exit(0);
if (process.env.CHAINRULE_SKIP_NATIVE === '1') {
  console.log('chainrule: CHAINRULE_SKIP_NATIVE=1, not building the native backend');
  process.exit(0);
}
// node-gyp fetches Node's headers from nodejs.org unless it is given a folder that has them: npm's
// nodedir setting, the headers installed with this Node (official builds, nvm, Homebrew and
// Debian put them in PREFIX/include/node), or node-gyp's own cache from an earlier download
const hasHeaders = (dir) => existsSync(join(dir, 'include', 'node', 'node_api.h'));
const nodedir = [process.env.npm_config_nodedir, dirname(dirname(process.execPath)), join(homedir(), '.cache', 'node-gyp', process.versions.node)].find(
  (d) => d && hasHeaders(d),
);
if (!nodedir) {
  console.log('chainrule: no local Node headers (node_api.h), so the native backend was not built; set npm_config_nodedir to a Node source or headers folder to build it');
  process.exit(0);
}
try {
  // the op codes the C kernels switch on, from the op table (see scripts/native-ops.mjs)
  const { writeHeader } = await import('./native-ops.mjs');
  await writeHeader();
} catch (e) {
  mkdirSync('build', { recursive: true });
  writeFileSync('build/native-build.log', String(e?.stack ?? e));
  console.log('chainrule: the native backend did not build (see build/native-build.log); using the TypeScript backend');
  process.exit(0);
}
const gyp = process.env.npm_config_node_gyp;
const args = ['rebuild', `--nodedir=${nodedir}`];
const cmd = gyp ? [process.execPath, [gyp, ...args]] : ['npx', ['--no-install', 'node-gyp', ...args]];
const r = spawnSync(cmd[0], cmd[1], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
mkdirSync('build', { recursive: true });
if (r.status !== 0) {
  writeFileSync('build/native-build.log', `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  console.log('chainrule: the native backend did not build (see build/native-build.log); using the TypeScript backend');
} else {
  console.log('chainrule: native backend built');
}
process.exit(0);
