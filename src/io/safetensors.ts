import { ChainruleError, fmtShape } from '../errors.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import { Tensor } from '../ops/index.js';

/** safetensors dtype names for chainrule's dtypes. */
const TO_ST: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };
const ITEM: Record<string, number> = { BOOL: 1, U8: 1, I8: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8 };
/** The reference implementation's dtype order; tensors are written largest dtype first (for alignment), then by name. */
const RANK: Record<string, number> = { BOOL: 0, U8: 1, I8: 2, I16: 5, U16: 6, F16: 7, BF16: 8, I32: 9, U32: 10, F32: 11, F64: 12, I64: 13, U64: 14 };
/** Header size limit of the reference implementation (100 MB). */
const MAX_HEADER = 100_000_000;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** What a safetensors file holds: its tensors by name and its metadata (decodeSafetensors, loadWithMetadata). */
export interface SafetensorsContents {
  /** the tensors by name */
  tensors: Record<string, Tensor>;
  /** the free-form string map stored under __metadata__ (empty when absent) */
  metadata: Record<string, string>;
}

function bytesOf(a: TypedArray): Uint8Array {
  const b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (LITTLE_ENDIAN || a.BYTES_PER_ELEMENT === 1) return b;
  const out = new Uint8Array(b.length);
  const w = a.BYTES_PER_ELEMENT;
  for (let i = 0; i < b.length; i += w) for (let j = 0; j < w; j++) out[i + j] = b[i + w - 1 - j];
  return out;
}

/**
 * Serialises named tensors to safetensors bytes: an 8-byte little-endian header length, a JSON
 * header `{"__metadata__": {...}, name: {dtype, shape, data_offsets}}` padded with spaces to a
 * multiple of 8 bytes, then the raw little-endian data. Tensors are laid out as the reference
 * implementation does (largest dtype first, then by name), so equal inputs give equal bytes.
 * @example const bytes = encodeSafetensors({ w: tensor([1, 2]) }); decodeSafetensors(bytes).tensors.w.toArray() // [1, 2]
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  const op = 'save';
  if (tensors === null || typeof tensors !== 'object') throw new ChainruleError(`${op}: expected a plain object of name to Tensor`);
  const entries = Object.entries(tensors);
  const bad = entries.filter(([, t]) => !(t instanceof Tensor)).map(([k]) => k);
  if (bad.length) throw new ChainruleError(`${op}: these entries are not Tensors: ${bad.join(', ')}`);
  if ('__metadata__' in tensors) throw new ChainruleError(`${op}: "__metadata__" is reserved and cannot name a tensor`);
  if (entries.some(([k]) => k.length === 0)) throw new ChainruleError(`${op}: tensor names must not be empty`);
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new ChainruleError(`${op}: metadata values must be strings (${k} is ${typeof v})`);
  }
  entries.sort(([an, a], [bn, b]) => RANK[TO_ST[b.dtype]] - RANK[TO_ST[a.dtype]] || (an < bn ? -1 : an > bn ? 1 : 0));
  // the header text is built by hand: a JS object would move integer-like names ("0") first
  const parts: string[] = [];
  const metaKeys = Object.keys(metadata).sort();
  if (metaKeys.length) parts.push(`"__metadata__":{${metaKeys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  let offset = 0;
  for (const [name, t] of entries) {
    const n = t.data.byteLength;
    parts.push(`${JSON.stringify(name)}:{"dtype":"${TO_ST[t.dtype]}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${offset + n}]}`);
    offset += n;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const pad = (8 - (json.length % 8)) % 8;
  const n = json.length + pad;
  const out = new Uint8Array(8 + n + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n);
  let pos = 8 + n;
  for (const [, t] of entries) {
    out.set(bytesOf(t.data), pos);
    pos += t.data.byteLength;
  }
  return out;
}

function readValues(dtype: string, raw: Uint8Array, count: number, name: string, problems: string[]): TypedArray | null {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case 'F32': {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = dv.getFloat32(i * 4, true);
      return a;
    }
    case 'F64': {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = dv.getFloat64(i * 8, true);
      return a;
    }
    case 'I32': {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = dv.getInt32(i * 4, true);
      return a;
    }
    case 'BOOL': {
      const a = new Uint8Array(count);
      for (let i = 0; i < count; i++) a[i] = raw[i] !== 0 ? 1 : 0;
      return a;
    }
    case 'I64': {
      // PyTorch's default integer dtype: loaded as int32 when every value fits
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = dv.getBigInt64(i * 8, true);
        if (v > 2147483647n || v < -2147483648n) {
          problems.push(`${name}: I64 value ${v} does not fit in int32`);
          return null;
        }
        a[i] = Number(v);
      }
      return a;
    }
    case 'F16':
    case 'BF16': {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = dtype === 'F16' ? half(dv.getUint16(i * 2, true)) : bfloat(dv.getUint16(i * 2, true));
      return a;
    }
    default:
      problems.push(`${name}: dtype ${dtype} is not supported (chainrule reads F32, F64, I32, BOOL, and converts I64, F16, BF16)`);
      return null;
  }
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

function bfloat(h: number): number {
  const b = new DataView(new ArrayBuffer(4));
  b.setUint32(0, h << 16);
  return b.getFloat32(0);
}

/**
 * Parses safetensors bytes, checking everything the format promises: the header length, the
 * JSON, each entry's dtype, shape and offsets (which must tile the data exactly). Every problem
 * found is listed in one ChainruleError; nothing is returned from a damaged file.
 * @example decodeSafetensors(encodeSafetensors({ a: ones([2]) })).tensors.a.shape // [2]
 */
export function decodeSafetensors(bytes: Uint8Array, source = 'load'): SafetensorsContents {
  const fail = (msg: string): never => {
    throw new ChainruleError(`${source}: not a valid safetensors file: ${msg}`);
  };
  if (bytes.length < 8) fail(`it has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) fail(`the header length field says ${n64} bytes (limit ${MAX_HEADER}); the file is corrupt or not safetensors`);
  const n = Number(n64);
  if (8 + n > bytes.length) fail(`the header needs ${n} bytes but only ${bytes.length - 8} follow the length field (truncated file?)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('the header is not a JSON object');
  const h = header as Record<string, unknown>;
  const data = bytes.subarray(8 + n);
  const problems: string[] = [];
  const metadata: Record<string, string> = {};
  if ('__metadata__' in h) {
    const m = h.__metadata__;
    if (m === null || typeof m !== 'object' || Array.isArray(m)) problems.push('__metadata__ is not an object');
    else
      for (const [k, v] of Object.entries(m)) {
        if (typeof v !== 'string') problems.push(`__metadata__.${k} is not a string`);
        else metadata[k] = v;
      }
  }
  const infos: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(h)) {
    if (name === '__metadata__') continue;
    if (info === null || typeof info !== 'object') {
      problems.push(`${name}: entry is not an object`);
      continue;
    }
    const { dtype, shape, data_offsets: off } = info as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in ITEM)) {
      problems.push(`${name}: unknown dtype ${JSON.stringify(dtype)}`);
      continue;
    }
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      problems.push(`${name}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
      continue;
    }
    if (!Array.isArray(off) || off.length !== 2 || off.some((d) => !Number.isInteger(d) || d < 0) || off[1] < off[0]) {
      problems.push(`${name}: data_offsets ${JSON.stringify(off)} is not a pair [begin, end]`);
      continue;
    }
    const numel = shape.reduce((a: number, d: number) => a * d, 1);
    if (off[1] - off[0] !== numel * ITEM[dtype]) {
      problems.push(`${name}: ${fmtShape(shape)} of ${dtype} needs ${numel * ITEM[dtype]} bytes but data_offsets span ${off[1] - off[0]}`);
      continue;
    }
    infos.push({ name, dtype, shape, begin: off[0], end: off[1] });
  }
  infos.sort((a, b) => a.begin - b.begin);
  let expect = 0;
  for (const t of infos) {
    if (t.begin !== expect) problems.push(`${t.name}: data starts at byte ${t.begin}, expected ${expect} (overlapping or gapped offsets)`);
    expect = t.end;
  }
  if (!problems.length && expect !== data.length) {
    problems.push(
      expect > data.length
        ? `the tensors need ${expect} data bytes but the file holds ${data.length} (truncated file?)`
        : `the file has ${data.length - expect} bytes after the last tensor`,
    );
  }
  const tensors: Record<string, Tensor> = {};
  if (!problems.length) {
    for (const t of infos) {
      const numel = t.shape.reduce((a, d) => a * d, 1);
      const values = readValues(t.dtype, data.subarray(t.begin, t.end), numel, t.name, problems);
      if (values) tensors[t.name] = new Tensor(values, t.shape);
    }
  }
  if (problems.length) fail(problems.join('; '));
  return { tensors, metadata };
}
