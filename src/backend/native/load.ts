// Node-only: loads the native addon built by `npm install` (build/Release/chainrule_native.node)
// and hands the registry a backend over it, which the registry makes the default.
// CHAINRULE_BACKEND=js|wasm|native forces a choice; CHAINRULE_NATIVE_ADDON=path loads another
// build (e.g. a sanitizer build). The registry imports this through the package's
// "#native-loader" import, which resolves to a module without a native backend outside Node.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { NativeAddon } from './addon.js';
import { createNativeBackend } from './backend.js';
import type { NativeSetup } from '../native-setup.js';


function addonPath(): string {
  const override = process.env.CHAINRULE_NATIVE_ADDON;
  if (override) return override;
  // src/backend/native/load.ts and dist/backend/native/load.js both sit three levels below the package root
  return fileURLToPath(new URL('../../../build/Release/chainrule_native.node', import.meta.url));
}

function loadAddon(): [NativeAddon | null, string | null] {
  try {
    return [createRequire(import.meta.url)(addonPath()) as NativeAddon, null];
  } catch (e) {
    return [null, (e as Error).message.split('\n')[0]];
  }
}

const [addon, loadError] = loadAddon();
/** The addon, when it loaded; tests and benchmarks use it to pick ISA and thread count. */
export const nativeAddon: NativeAddon | null = addon;
/** Why the addon did not load (null when it did). */
export const nativeLoadError: string | null = loadError;

/** The native backend (when the addon loaded) and the environment's choice, for the registry. */
export function nativeSetup(): NativeSetup {
  return {
    backend: nativeAddon ? createNativeBackend(nativeAddon) : null,
    requested: process.env.CHAINRULE_BACKEND,
    loadError: nativeLoadError,
    skip: process.env.CHAINRULE_SKIP_NATIVE === '1',
    warn: (msg) => process.stderr.write(`chainrule: ${msg}\n`),
  };
}
