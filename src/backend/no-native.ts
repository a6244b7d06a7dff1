// Outside Node (browsers, bundlers) "#native-loader" resolves here: there is no native backend,
// and nothing Node-specific is imported.
import type { NativeSetup } from './native-setup.js';

export const nativeAddon = null;

/** No addon here: the registry chooses between the portable backends. */
export function nativeSetup(): NativeSetup {
  return { backend: null, requested: undefined, loadError: null, skip: true, warn: () => {} };
}
