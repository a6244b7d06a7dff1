// Node-only: loads the native addon built by `npm install` (build/Release/chainrule_native.node),
// registers it as the 'native' backend and makes it the default. CHAINRULE_BACKEND=js|wasm|native
// forces a choice; CHAINRULE_NATIVE_ADDON=path loads another build (e.g. a sanitizer build).
// Imported once from src/index.ts through the package's "#native-loader" import, which resolves
// to a no-op module outside Node.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { getBackend, listBackends, registerBackend, setBackend } from '../registry.js';
import type { NativeAddon } from './addon.js';
import { createNativeBackend } from './backend.js';

/** The addon, when it loaded; tests and benchmarks use it to pick ISA and thread count. */
export let nativeAddon: NativeAddon | null = null;
/** Why the addon did not load (null when it did). */
export let nativeLoadError: string | null = null;

function addonPath(): string {
  const override = process.env.CHAINRULE_NATIVE_ADDON;
  if (override) return override;
  // src/backend/native/load.ts and dist/backend/native/load.js both sit three levels below the package root
  return fileURLToPath(new URL('../../../build/Release/chainrule_native.node', import.meta.url));
}

function init(): void {
  const want = process.env.CHAINRULE_BACKEND;
  // asking for a portable backend keeps it active even where the addon loads (and stays listed)
  const portable = want === 'js' || want === 'wasm';
  try {
    const require = createRequire(import.meta.url);
    nativeAddon = require(addonPath()) as NativeAddon;
  } catch (e) {
    nativeLoadError = (e as Error).message.split('\n')[0];
  }
  if (nativeAddon) {
    registerBackend(createNativeBackend(nativeAddon));
    if (!portable) setBackend('native');
  } else if (!portable && process.env.CHAINRULE_SKIP_NATIVE !== '1') {
    const why = want === 'native' ? 'CHAINRULE_BACKEND=native, but the native addon is unavailable' : 'the native addon is unavailable';
    process.stderr.write(`chainrule: ${why} (${nativeLoadError}); using the ${getBackend()} backend\n`);
  }
  if (portable) {
    if (listBackends().includes(want)) setBackend(want);
    else process.stderr.write(`chainrule: CHAINRULE_BACKEND=${want}, but WebAssembly SIMD is unavailable; using the ${getBackend()} backend\n`);
  } else if (want !== undefined && want !== '' && want !== 'native') {
    process.stderr.write(`chainrule: unknown CHAINRULE_BACKEND=${JSON.stringify(want)} (expected js, wasm or native); using the ${getBackend()} backend\n`);
  }
}

init();
