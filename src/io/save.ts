import { ChainruleError } from '../errors.js';
import { readFileBytes, writeFileAtomic } from './fs.js';
import { type SafetensorsContents, decodeSafetensors, encodeSafetensors } from './safetensors.js';
import type { Tensor } from '../ops/index.js';

/** A state dict: a plain object of name to Tensor (what `model.stateDict()` returns). */
export type TensorDict = Record<string, Tensor>;

/**
 * Saves a state dict to `path` in the safetensors format, atomically (temporary file, fsync,
 * rename). Python reads it with `safetensors.torch.load_file(path)`.
 * @example
 * ```ts
 * import { mkdtempSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * const dir = mkdtempSync(join(tmpdir(), 'chainrule-'));
 * save(new nn.Linear(2, 1).stateDict(), join(dir, 'model.safetensors'));
 * ```
 */
export function save(stateDict: TensorDict, path: string, opts: { metadata?: Record<string, string> } = {}): void {
  if (typeof path !== 'string' || path.length === 0) throw new ChainruleError('save: path must be a non-empty string');
  writeFileAtomic(path, encodeSafetensors(stateDict, opts.metadata ?? {}), 'save');
}

/**
 * Loads a safetensors file into a state dict of name to Tensor (F32, F64, I32 and BOOL map to
 * chainrule's dtypes; I64, F16 and BF16 are converted). A corrupt or truncated file throws a
 * ChainruleError that lists what is wrong.
 * @example
 * ```ts
 * import { mkdtempSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * const dir = mkdtempSync(join(tmpdir(), 'chainrule-'));
 * const model = new nn.Linear(2, 1);
 * save(model.stateDict(), join(dir, 'model.safetensors'));
 * const copy = new nn.Linear(2, 1);
 * copy.loadStateDict(load(join(dir, 'model.safetensors')));
 * ```
 */
export function load(path: string): TensorDict {
  return loadWithMetadata(path).tensors;
}

/** Like load, also returning the file's __metadata__ string map. */
export function loadWithMetadata(path: string): SafetensorsContents {
  if (typeof path !== 'string' || path.length === 0) throw new ChainruleError('load: path must be a non-empty string');
  return decodeSafetensors(readFileBytes(path, 'load'), `load ${path}`);
}
