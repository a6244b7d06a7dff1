import type { Backend } from './types.js';

/** What the native loader tells the registry (src/backend/registry.ts) when it first runs. */
export interface NativeSetup {
  /** the native backend, when its addon loaded */
  backend: Backend | null;
  /** CHAINRULE_BACKEND, where there is an environment */
  requested: string | undefined;
  /** why the addon did not load */
  loadError: string | null;
  /** no notice when it is missing (outside Node, or CHAINRULE_SKIP_NATIVE=1) */
  skip: boolean;
  /** prints a one-line notice */
  warn: (msg: string) => void;
}
