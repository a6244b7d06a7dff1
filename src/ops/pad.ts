// The padding modes of F.pad besides constant: reflect, replicate and circular, as PyTorch 1.13
// computes them (negative widths crop). Each padded dim is an index select with the index of the
// source element for every output position; the gradient adds back along the same indices
// (indexAdd), so repeats (the edge in replicate mode, the reflected elements) accumulate.
import { noGrad } from '../autograd/mode.js';
import { record } from '../autograd/record.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { zeros } from '../tensor/creation.js';
import { Tensor } from '../tensor/tensor.js';
import { defineOp } from './define.js';
import { indexAdd, indexSelect } from './indexing.js';
import { assertTensor } from './kernel.js';

type Mode = 'reflect' | 'replicate' | 'circular';

/** For one padded dim of size n with widths l, r: the source position of each output position. */
function sourceIndex(mode: Mode, n: number, l: number, r: number, what: () => string): Int32Array {
  const m = n + l + r;
  const out = new Int32Array(Math.max(0, m));
  if (mode === 'reflect') {
    if (l >= n || r >= n) throw new ChainruleError(`reflectionPad: widths must be less than the size of the dimension they pad: ${what()}`);
    if (m < 1) throw new ChainruleError(`reflectionPad: the padded size ${m} must be at least 1: ${what()}`);
    for (let j = 0; j < m; j++) {
      const p = j - l;
      out[j] = p < 0 ? -p : p >= n ? 2 * (n - 1) - p : p;
    }
  } else if (mode === 'replicate') {
    if (m < 1) throw new ChainruleError(`replicationPad: the padded size ${m} must be at least 1: ${what()}`);
    for (let j = 0; j < m; j++) out[j] = Math.min(Math.max(j - l, 0), n - 1);
  } else {
    // negative widths crop first; the rest wraps around the cropped elements at most once
    const c0 = Math.max(0, -l);
    const kept = n - c0 - Math.max(0, -r);
    if (l > n || r > n || m < 0) throw new ChainruleError(`circularPad: widths must be at most the size of the dimension they pad, and leave a size of at least 0: ${what()}`);
    if (m > 0 && (kept <= 0 || l > kept || r > kept)) throw new ChainruleError(`circularPad: the widths wrap around the ${Math.max(0, kept)} elements left after cropping more than once: ${what()}`);
    for (let j = 0; j < m; j++) out[j] = c0 + ((((j - Math.max(0, l)) % kept) + kept) % kept);
  }
  return out;
}

/** The padded dims (last first, as the widths list them) and their source indices, checked as PyTorch checks them. */
function plan(op: string, mode: Mode, x: Tensor, widths: readonly number[]): { d: number; at: Tensor }[] {
  assertTensor(x, op);
  if (!Array.isArray(widths) || widths.length % 2 !== 0 || widths.some((w) => !Number.isInteger(w))) {
    throw new ChainruleError(`${op}: widths must be pairs of integers, got ${JSON.stringify(widths)} (shape ${fmtShape(x.shape)})`);
  }
  const k = widths.length / 2;
  const ranks = mode === 'circular' ? [k + 2] : [k + 1, k + 2];
  if (k < 1 || k > 3 || !ranks.includes(x.ndim)) {
    const want = mode === 'circular' ? `${k + 2}` : `${k + 1} or ${k + 2}`;
    throw new ChainruleError(`${op}: ${k} pair${k === 1 ? '' : 's'} of widths need${k === 1 ? 's' : ''} an input of rank ${want} (1 to 3 padded dims, after a batch and channel dim), got shape ${fmtShape(x.shape)}`);
  }
  if (mode !== 'circular') {
    const first = x.ndim === k + 2 ? 1 : 0;
    if (x.shape.some((n, i) => i >= first && n === 0)) throw new ChainruleError(`${op}: every dimension but the batch must be non-empty, got shape ${fmtShape(x.shape)}`);
  }
  return Array.from({ length: k }, (_, i) => {
    const d = x.ndim - 1 - i;
    const what = () => `widths ${JSON.stringify(widths)} for dimension ${d} of size ${x.shape[d]} (shape ${fmtShape(x.shape)})`;
    const at = sourceIndex(mode, x.shape[d], widths[2 * i], widths[2 * i + 1], what);
    return { d, at: new Tensor(at, [at.length]) };
  });
}

function padOp<const N extends 'reflectionPad' | 'replicationPad' | 'circularPad'>(name: N, mode: Mode, doc: string) {
  return defineOp(
    { name, doc, params: [{ name: 'pad', type: 'shape' }], label: `${mode} pad`, latex: ([a]) => `\\operatorname{pad}_{\\text{${mode}}}\\left(${a}\\right)` },
    (def) =>
      function padMode(x: Tensor, widths: readonly number[]): Tensor {
        const steps = plan(name, mode, x, widths);
        const shapes: (readonly number[])[] = [];
        const y = noGrad(() =>
          steps.reduce((t, { d, at }) => {
            shapes.push(t.shape);
            return indexSelect(t, d, at);
          }, x),
        );
        return record(
          def,
          [x],
          y,
          (g) => {
            let gx = g;
            for (let i = steps.length - 1; i >= 0; i--) gx = indexAdd(zeros(shapes[i], { dtype: g.dtype }), steps[i].d, steps[i].at, gx);
            return [gx];
          },
          { widths: [...widths] },
        );
      },
  );
}

/**
 * Pads by reflecting the input at its edges (the edge itself not repeated), as F.pad's 'reflect'
 * mode: widths [left, right, ...] for the last 1 to 3 dims of an input with one or two more dims
 * (batch, channels), each less than the size it pads; negative widths crop.
 * @example reflectionPad(tensor([[1, 2, 3]]), [2, 1]).toArray() // [[3, 2, 1, 2, 3, 2]]
 */
export const reflectionPad = padOp('reflectionPad', 'reflect', "Padding by reflection at the edges (F.pad's 'reflect'): widths for the last 1-3 dims, each less than the size it pads; negative widths crop.");

/**
 * Pads by repeating the edge elements, as F.pad's 'replicate' mode (widths as reflectionPad;
 * negative widths crop).
 * @example replicationPad(tensor([[1, 2, 3]]), [2, 1]).toArray() // [[1, 1, 1, 2, 3, 3]]
 */
export const replicationPad = padOp('replicationPad', 'replicate', "Padding by repeating the edge elements (F.pad's 'replicate'): widths for the last 1-3 dims; negative widths crop.");

/**
 * Pads by wrapping around (the elements of the other end), as F.pad's 'circular' mode: widths for
 * the last 1 to 3 dims of an input with a batch and a channel dim before them, at most the size
 * they pad; negative widths crop first.
 * @example circularPad(tensor([[[1, 2, 3]]]), [1, 2]).toArray() // [[[3, 1, 2, 3, 1, 2]]]
 */
export const circularPad = padOp('circularPad', 'circular', "Padding by wrapping around (F.pad's 'circular'): widths for the last 1-3 dims after batch and channel dims, at most the size they pad; negative widths crop first.");
