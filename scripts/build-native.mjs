// Builds the native CPU backend with node-gyp during `npm install`. A failed build never fails
// the install: chainrule then runs on its TypeScript backend and says so once at load time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';

if (!existsSync('binding.gyp')) process.exit(0);
if (process.env.CHAINRULE_SKIP_NATIVE === '1') {
  console.log('chainrule: CHAINRULE_SKIP_NATIVE=1, not building the native backend');
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
const cmd = gyp ? [process.execPath, [gyp, 'rebuild']] : ['npx', ['--no-install', 'node-gyp', 'rebuild']];
const r = spawnSync(cmd[0], cmd[1], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
mkdirSync('build', { recursive: true });
if (r.status !== 0) {
  writeFileSync('build/native-build.log', `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  console.log('chainrule: the native backend did not build (see build/native-build.log); using the TypeScript backend');
} else {
  console.log('chainrule: native backend built');
}
process.exit(0);
