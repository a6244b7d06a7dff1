// Reads the differential suite's fixtures, written by scripts/fixtures/parity.py with PyTorch (its
// docstring describes the format), and decodes their tensors. A fixture is its base family's file,
// test/fixtures/parity/<name>.json.gz, and one file per other op family, <name>-<family>.json.gz,
// read together: every family of a fixture is drawn with the same seed and scale.
import { readFileSync, readdirSync } from 'node:fs';
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
  /** the op family whose file it came from (set by loadFixture) */
  family?: string;
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
  /** the op families it holds, base first */
  families: string[];
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

const DIR = new URL('./fixtures/parity/', import.meta.url);

/** The fixtures in test/fixtures/parity: the names of their base files. */
export function fixtureNames(): string[] {
  return readdirSync(DIR)
    .filter((f) => /^[^-]+\.json\.gz$/.test(f))
    .map((f) => f.slice(0, -'.json.gz'.length))
    .sort();
}

/** The files of a fixture: the base family's, then its other families' by name. */
export function fixtureFiles(name: string): { family: string; url: URL }[] {
  if (name.includes('-')) throw new Error(`${name}: a fixture name has no '-' (it separates the family in file names)`);
  const families = readdirSync(DIR)
    .filter((f) => f.startsWith(`${name}-`) && f.endsWith('.json.gz'))
    .map((f) => f.slice(name.length + 1, -'.json.gz'.length))
    .sort();
  return [{ family: 'base', url: new URL(`${name}.json.gz`, DIR) }, ...families.map((family) => ({ family, url: new URL(`${name}-${family}.json.gz`, DIR) }))];
}

interface FileDoc {
  format: string;
  family?: string;
  torch: string;
  seed: number;
  scale: number;
  cases: Case[];
}

export function loadFixture(name: string): Fixture {
  let fixture: Fixture | undefined;
  for (const { family, url } of fixtureFiles(name)) {
    const doc = JSON.parse(gunzipSync(readFileSync(url)).toString('utf8'), revive) as FileDoc;
    if (doc.format !== 'chainrule-parity/1') throw new Error(`${name} (${family}): unknown fixture format ${doc.format}`);
    if ((doc.family ?? 'base') !== family) throw new Error(`${url.pathname}: holds family ${doc.family}, its name says ${family}`);
    for (const c of doc.cases) c.family = family;
    if (!fixture) {
      fixture = { name, format: doc.format, torch: doc.torch, seed: doc.seed, scale: doc.scale, families: [family], cases: doc.cases };
      continue;
    }
    if (doc.seed !== fixture.seed || doc.scale !== fixture.scale || doc.torch !== fixture.torch) {
      throw new Error(`${name}: family ${family} was drawn with seed ${doc.seed}, scale ${doc.scale}, PyTorch ${doc.torch}; the base with ${fixture.seed}, ${fixture.scale}, ${fixture.torch}`);
    }
    fixture.families.push(family);
    fixture.cases.push(...doc.cases);
  }
  return fixture as Fixture;
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
