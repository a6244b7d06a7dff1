import { ChainruleError } from '../errors.js';

/** Element types. `bool` is stored as bytes (0/1), `int32` holds indices and labels. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';
/** The storage of a tensor: Float32Array, Float64Array, Int32Array, or Uint8Array for bool. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/**
 * Memory of `bytes` for tensor storage, zero-filled unless `zero` is false (then its contents are
 * arbitrary): the native backend's pool, see Backend.storage. The registry installs the active
 * backend's with useStorageSource.
 */
export type StorageSource = (bytes: number, zero: boolean) => ArrayBuffer;

let storageSource: StorageSource | null = null;
/**
 * Storage of at least this many bytes comes from the storage source: smaller typed arrays are cheaper
 * to make in the JavaScript heap than a call into the pool (measured: bench/results/storage-pool.txt).
 */
export const STORAGE_POOL_MIN_BYTES = 16384;

/** Makes arrayFor take its larger arrays from `source` (null: plain typed arrays). */
export function useStorageSource(source: StorageSource | null): void {
  storageSource = source;
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/**
 * A typed array of `size` elements of `dtype`: the storage of a new tensor, zero-filled (with
 * `zero` false, for a kernel that overwrites every element, its contents may be arbitrary).
 */
export function arrayFor(dtype: DType, size: number, zero = true): TypedArray {
  const bytes = size * BYTES[dtype];
  const buf = storageSource && bytes >= STORAGE_POOL_MIN_BYTES ? storageSource(bytes, zero) : null;
  switch (dtype) {
    case 'float32':
      return buf ? new Float32Array(buf) : new Float32Array(size);
    case 'float64':
      return buf ? new Float64Array(buf) : new Float64Array(size);
    case 'int32':
      return buf ? new Int32Array(buf) : new Int32Array(size);
    case 'bool':
      return buf ? new Uint8Array(buf) : new Uint8Array(size);
  }
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'bool';
}

export function assertDType(d: unknown, op: string): DType {
  if (typeof d !== 'string' || !(DTYPES as readonly string[]).includes(d)) {
    throw new ChainruleError(`${op}: unknown dtype ${JSON.stringify(d)} (expected one of ${DTYPES.join(', ')})`);
  }
  return d as DType;
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** PyTorch's promotion for two tensors: bool < int32 < float32 < float64. */
export function promote(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** The dtype a float-only op (exp, div, ...) computes in for an input of dtype `d`. */
export function floatOf(d: DType): DType {
  return isFloat(d) ? d : 'float32';
}
