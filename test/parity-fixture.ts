// Reads the differential suite's fixtures, test/fixtures/parity/<name>.json.gz, written by
// scripts/fixtures/parity.py with PyTorch (its docstring describes the format), and decodes
// their tensors.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { type DType, type Tensor, type TypedArray, tensor } from 'chainrule';

/** One tensor: dtype, shape and its values as base64 little-endian bytes (or one fill value). */
export interface Enc {
  dtype: DType;
  shape: number[];
  f64?: string;
  f32?: string;
  i32?: string;
  u8?: string;
  fill?: number;
  /** float32 results: how far PyTorch's float32 value is from its float64 value on the same inputs */
  slack?: number;
  /** gradients of a base read through an expanded view: the largest gradient of the view's elements */
  scale?: number;
  /** an output that requires grad in PyTorch (set only for cases with gradient inputs) */
  rg?: boolean;
}

/** A step of a view recipe, applied to the base tensor in order. */
export type ViewStep =
  | ['transpose', number, number]
  | ['permute', number[]]
  | ['slice', number, number, number, number]
  | ['narrow', number, number, number]
  | ['expand', number[]]
  | ['select', number];

export interface CaseInput {
  name: string;
  t: Enc;
  view?: ViewStep[];
  /** the gradient with respect to this (base) tensor is checked */
  grad?: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: attributes are JSON written by the generator; the table reads them by name
export type Attrs = Record<string, any>;

export interface Case {
  id: string;
  op: string;
  dtype: 'float64' | 'float32';
  attrs: Attrs;
  inputs: CaseInput[];
  /** PyTorch's outputs, flattened in order */
  out?: Enc[];
  /** set instead of out when PyTorch raised: its exception, for the triage */
  error?: string;
  /** upstream gradients of the float outputs, and the gradients of sum(out·up) for the grad inputs */
  up?: Enc[];
  grads?: Enc[];
  /** second order: v per grad input and the gradients of sum(grads·v) */
  v?: Enc[];
  grads2?: Enc[];
}

export interface Fixture {
  name: string;
  format: string;
  torch: string;
  seed: number;
  scale: number;
  cases: Case[];
}

/** Non-finite numbers in attributes are written as {"$": "Infinity" | "-Infinity" | "NaN"}. */
function revive(_key: string, v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === '$') return Number((v as { $: string }).$);
  }
  return v;
}

export function fixturePath(name: string): URL {
  return new URL(`./fixtures/parity/${name}.json.gz`, import.meta.url);
}

export function loadFixture(name: string): Fixture {
  const doc = JSON.parse(gunzipSync(readFileSync(fixturePath(name))).toString('utf8'), revive) as Omit<Fixture, 'name'>;
  if (doc.format !== 'chainrule-parity/1') throw new Error(`${name}: unknown fixture format ${doc.format}`);
  return { ...doc, name };
}

function bytes(b64: string): ArrayBuffer {
  const buf = Buffer.from(b64, 'base64');
  // a copy, so that the typed array views below are aligned
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

const CTOR = { float64: Float64Array, float32: Float32Array, int32: Int32Array, bool: Uint8Array } as const;

/** The values of an encoded tensor in its own dtype's typed array. */
export function values(e: Enc): TypedArray {
  const n = e.shape.reduce((a, b) => a * b, 1);
  const out = new CTOR[e.dtype](n);
  if (e.fill !== undefined) out.fill(e.fill);
  else if (e.f64) out.set(new Float64Array(bytes(e.f64)));
  else if (e.f32) out.set(new Float32Array(bytes(e.f32)));
  else if (e.i32) out.set(new Int32Array(bytes(e.i32)));
  else if (e.u8) out.set(new Uint8Array(bytes(e.u8)));
  return out;
}

/** A fresh chainrule tensor with the encoded values. */
export function decode(e: Enc): Tensor {
  return tensor(values(e), { shape: e.shape, dtype: e.dtype });
}
