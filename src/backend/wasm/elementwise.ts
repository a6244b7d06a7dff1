import { binary as jsBinary, coalesce, unary as jsUnary } from '../js/elementwise.js';
import { contiguousStrides } from '../../tensor/strides.js';
import type { Backend, TypedArray } from '../types.js';
import { Arena } from './arena.js';
import type { GemmExports } from './module.js';

/**
 * Arrays shorter than this stay on the TypeScript kernels. Measured on x64 in Node 20 for float32,
 * copies in and out included: add of 128 values 0.29 µs in wasm and 0.31 µs in TypeScript, of
 * 1024 values 0.57 against 2.0 µs, of 256K values 110 against 820 µs; relu of 256K values 83
 * against 1860 µs.
 */
export const ELEMENTWISE_MIN = 256;

/** The module's binary ops, by kernel name. */
const OPCODE: Record<string, number | undefined> = { add: 0, sub: 1, mul: 2, div: 3 };
const COMMUTES = new Set(['add', 'mul']);
/** Values of a scalar operand laid out as a row, so the kernel's row loop stays vectorized. */
const SCALAR_ROW = 1024;

type Kernels = Pick<Backend, 'binary' | 'unary'>;

/**
 * wasm versions of the elementwise kernels that training spends its time in: float add, sub, mul
 * and div of same-shape operands, or with one operand a scalar or a row broadcast along the other
 * (a bias), and relu. Results are bitwise those of the TypeScript kernels (IEEE single and double
 * operations round the same either way); every other case runs there.
 */
export function createWasmElementwise(mod: GemmExports, minLen = ELEMENTWISE_MIN): Kernels {
  const arena = new Arena(mod.memory);

  /**
   * x op y with y repeated every p values (p = 1: a scalar), through the module; false when the
   * memory cannot grow.
   */
  function run(op: number, x: TypedArray, y: TypedArray, p: number, out: TypedArray): boolean {
    const double = out instanceof Float64Array;
    const es = double ? 8 : 4;
    const n = out.length;
    const row = p === 1 ? Math.min(SCALAR_ROW, n) : p;
    // layout: x, then y's row, then out, each on a 16-byte boundary
    const yAt = Math.ceil((n * es) / 16) * 16;
    const oAt = yAt + Math.ceil((row * es) / 16) * 16;
    if (!arena.reserve(oAt + n * es)) return false;
    const view = double ? arena.f64 : arena.f32;
    view.set(x, 0);
    if (p === 1) view.fill(y[0], yAt / es, yAt / es + row);
    else view.set(y.subarray(0, p), yAt / es);
    if (double) mod.binary64(op, 0, yAt, oAt, n, row);
    else mod.binary32(op, 0, yAt, oAt, n, row);
    out.set(view.subarray(oAt / es, oAt / es + n));
    return true;
  }

  /** [x, y, period] for the layouts run() takes, or null. */
  function layout(op: string, a: TypedArray, aStrides: readonly number[], b: TypedArray, bStrides: readonly number[], outShape: readonly number[], n: number): [TypedArray, TypedArray, number] | null {
    // as the TypeScript kernel: an operand as long as the output is contiguous
    if (a.length === n && (b.length === n || b.length === 1)) return [a, b, b.length];
    if (b.length === n && a.length === 1) return COMMUTES.has(op) ? [b, a, 1] : null;
    // [rows, cols] after merging dimensions: one operand full, the other one row for every row
    const [shape, [sa, sb]] = coalesce(outShape, [aStrides, bStrides, contiguousStrides(outShape)]);
    if (shape.length === 3) return channels(op, a, sa, b, sb, shape);
    if (shape.length !== 2) return null;
    const cols = shape[1];
    const full = (s: number[]) => s[0] === cols && s[1] === 1;
    const row = (s: number[]) => s[0] === 0 && s[1] === 1;
    if (full(sa) && row(sb)) return [a, b, cols];
    if (row(sa) && full(sb) && COMMUTES.has(op)) return [b, a, cols];
    return null;
  }

  /**
   * [N, C, L] with one operand full and the other one value per channel (a bias over [N, C, H, W]):
   * that operand expanded to a row of C·L values, repeated N times.
   */
  function channels(op: string, a: TypedArray, sa: number[], b: TypedArray, sb: number[], [, C, L]: number[]): [TypedArray, TypedArray, number] | null {
    const full = (s: number[]) => s[0] === C * L && s[1] === L && s[2] === 1;
    const perChannel = (s: number[]) => s[0] === 0 && s[1] === 1 && s[2] === 0;
    const expand = (v: TypedArray): TypedArray => {
      const r = new (v.constructor as Float32ArrayConstructor)(C * L);
      for (let c = 0; c < C; c++) r.fill(v[c], c * L, (c + 1) * L);
      return r;
    };
    if (full(sa) && perChannel(sb)) return [a, expand(b), C * L];
    if (perChannel(sa) && full(sb) && COMMUTES.has(op)) return [b, expand(a), C * L];
    return null;
  }

  return {
    binary(k, a, aStrides, b, bStrides, out, outShape) {
      const code = OPCODE[k.name];
      const C = out instanceof Float64Array ? Float64Array : Float32Array;
      if (code !== undefined && out.length >= minLen && out instanceof C && a instanceof C && b instanceof C) {
        const l = layout(k.name, a, aStrides, b, bStrides, outShape, out.length);
        if (l && l[0].length === out.length && run(code, l[0], l[1], l[2], out)) return;
      }
      jsBinary(k, a, aStrides, b, bStrides, out, outShape);
    },
    unary(k, x, out, p0, p1) {
      const C = out instanceof Float64Array ? Float64Array : Float32Array;
      if (k.name === 'relu' && out.length >= minLen && out instanceof C && x instanceof C) {
        const es = C.BYTES_PER_ELEMENT;
        const n = out.length;
        const oAt = Math.ceil((n * es) / 16) * 16;
        if (arena.reserve(oAt + n * es)) {
          const view = C === Float64Array ? arena.f64 : arena.f32;
          view.set(x, 0);
          mod.relu(0, oAt, n, C === Float64Array ? 1 : 0);
          out.set(view.subarray(oAt / es, oAt / es + n));
          return;
        }
      }
      jsUnary(k, x, out, p0, p1);
    },
  };
}
