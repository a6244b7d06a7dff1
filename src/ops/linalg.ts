// Products beyond matmul: einsum (a parser of Einstein summation, contracting through batched
// matmul), bmm, baddbmm, addmm and kron. All are compositions of matmul, views, sums and
// elementwise ops, so their gradients (and second gradients) come from those.
import { ChainruleError, fmtShape } from '../errors.js';
import { type DType, isFloat, promote } from '../tensor/dtype.js';
import { broadcastShapes, sameShape, sizeOf, stridesOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, mul } from './arith.js';
import { defineOp } from './define.js';
import { assertNumber, assertTensor } from './kernel.js';
import { matmul } from './matmul.js';
import { sum } from './reduce.js';
import { asStrided, cast, expand, permute, reshape } from './shape.js';

// ---- einsum --------------------------------------------------------------------------------

/** A label of one dim: a letter's char code, or -(1 + k) for dim k of the broadcast ellipsis. */
type Label = number;

interface Term {
  /** letter labels, with ELLIPSIS where '...' stands */
  labels: (number | typeof ELLIPSIS)[];
}

const ELLIPSIS = 'ellipsis' as const;

/** Parses one comma-separated term of an equation ('ij', 'b...k', '...'). */
function parseTerm(s: string, eq: string, at: number): Term {
  const labels: Term['labels'] = [];
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('...', i)) {
      if (labels.includes(ELLIPSIS)) throw new ChainruleError(`einsum: more than one ellipsis in the term '${s}' of '${eq}'`);
      labels.push(ELLIPSIS);
      i += 3;
      continue;
    }
    const c = s.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!letter) throw new ChainruleError(`einsum: invalid subscript '${s[i]}' at index ${at + i} of '${eq}' (letters and '...' only)`);
    labels.push(c);
    i++;
  }
  return { labels };
}

interface Parsed {
  inputs: Term[];
  /** null: implicit (the labels that appear once, alphabetically, after the ellipsis) */
  output: Term | null;
}

function parseEquation(eq: string): Parsed {
  if (typeof eq !== 'string') throw new ChainruleError(`einsum: the equation must be a string, got ${typeof eq}`);
  const s = eq.replace(/\s+/g, '');
  const parts = s.split('->');
  if (parts.length > 2) throw new ChainruleError(`einsum: more than one '->' in '${eq}'`);
  let at = 0;
  const inputs = parts[0].split(',').map((t) => {
    const term = parseTerm(t, eq, at);
    at += t.length + 1;
    return term;
  });
  const output = parts.length === 2 ? parseTerm(parts[1], eq, parts[0].length + 2) : null;
  return { inputs, output };
}

/** One operand in label space: its tensor and one distinct label per dim. */
interface Operand {
  t: Tensor;
  labels: Label[];
}

const labelText = (l: Label) => (l >= 0 ? String.fromCharCode(l) : `...[${-l - 1}]`);

/** Sums the dims of `op` whose labels are not in `keep`. */
function sumOut(op: Operand, keep: ReadonlySet<Label>): Operand {
  const dims = op.labels.map((l, i) => (keep.has(l) ? -1 : i)).filter((i) => i >= 0);
  if (dims.length === 0) return op;
  return { t: sum(op.t, dims), labels: op.labels.filter((l) => keep.has(l)) };
}

/** Reorders an operand's dims to the given label order. */
function arrange(op: Operand, order: readonly Label[]): Tensor {
  return permute(
    op.t,
    order.map((l) => op.labels.indexOf(l)),
  );
}

/** Contracts two operands over their shared labels not in `keep`, with one batched matmul. */
function contract(a: Operand, b: Operand, keep: ReadonlySet<Label>): Operand {
  a = sumOut(a, new Set([...keep, ...b.labels]));
  b = sumOut(b, new Set([...keep, ...a.labels]));
  const inB = new Set(b.labels);
  const inA = new Set(a.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const summed = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const aOnly = a.labels.filter((l) => !inB.has(l));
  const bOnly = b.labels.filter((l) => !inA.has(l));
  const size = (op: Operand, l: Label) => op.t.shape[op.labels.indexOf(l)];
  // a summed label broadcast (size 1) on one side is summed on the other before the product
  for (const l of summed) {
    if (size(a, l) !== size(b, l)) {
      if (size(a, l) === 1) b = { t: sum(b.t, [b.labels.indexOf(l)], { keepdim: true }), labels: b.labels };
      else a = { t: sum(a.t, [a.labels.indexOf(l)], { keepdim: true }), labels: a.labels };
    }
  }
  const ta = arrange(a, [...batch, ...aOnly, ...summed]);
  const tb = arrange(b, [...batch, ...summed, ...bOnly]);
  const bs = batch.length;
  const m = sizeOf(ta.shape.slice(bs, bs + aOnly.length));
  const k = sizeOf(ta.shape.slice(bs + aOnly.length));
  const n = sizeOf(tb.shape.slice(bs + summed.length));
  const y = matmul(reshape(ta, [...ta.shape.slice(0, bs), m, k]), reshape(tb, [...tb.shape.slice(0, bs), k, n]));
  const shape = [...y.shape.slice(0, bs), ...ta.shape.slice(bs, bs + aOnly.length), ...tb.shape.slice(bs + summed.length)];
  return { t: reshape(y, shape), labels: [...batch, ...aOnly, ...bOnly] };
}

/**
 * Einstein summation, as torch.einsum: 'ij,jk->ik' (explicit output), 'ij,jk' (implicit: the
 * labels that appear once, alphabetically), repeated labels in one operand for diagonals and
 * traces ('ii->i', 'ii'), '...' for broadcast dims, and size-1 dims broadcasting against their
 * label's size elsewhere. Operands are contracted left to right, each pair by one batched matmul.
 * The operands may also be passed as one array.
 * @example einsum('ij,jk->ik', ones([2, 3]), ones([3, 4])).shape // [2, 4]
 * @example einsum('ii', tensor([[1, 2], [3, 4]])).item() // 5
 */
export const einsum = defineOp(
  {
    name: 'einsum',
    doc: "Einstein summation (torch.einsum): explicit or implicit output, repeated labels for diagonals and traces, '...' and size-1 broadcasting; pairs contract by batched matmul.",
    inputs: ['operands'],
    params: [{ name: 'equation', type: 'string' }],
    method: false,
    latex: (args, at) => `\\operatorname{einsum}_{\\texttt{${String(at?.equation ?? '').replace(/[^A-Za-z.,>-]/g, '')}}}\\left(${args.join(', ')}\\right)`,
    label: 'einsum',
  },
  () =>
    function einsum(equation: string, ...operands: (Tensor | readonly Tensor[])[]): Tensor {
      const list = (operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands) as Tensor[];
      const parsed = parseEquation(equation);
      if (parsed.inputs.length !== list.length) {
        throw new ChainruleError(`einsum: '${equation}' has ${parsed.inputs.length} operand term${parsed.inputs.length === 1 ? '' : 's'} but ${list.length} operand${list.length === 1 ? ' was' : 's were'} given`);
      }
      list.forEach((t, i) => {
        assertTensor(t, 'einsum', `operand ${i}`);
      });
      let dtype: DType = list[0].dtype;
      for (const t of list) dtype = promote(dtype, t.dtype);
      if (dtype === 'bool') throw new ChainruleError('einsum: bool operands are not supported');
      // integer products run in float64 (exact below 2^53) and come back as int32
      const work: DType = isFloat(dtype) ? dtype : 'float64';

      // the ellipsis of each operand covers the dims its letters leave; all ellipses broadcast
      const ellRank = Math.max(
        0,
        ...parsed.inputs.map((term, i) => {
          const letters = term.labels.filter((l) => l !== ELLIPSIS).length;
          const t = list[i];
          const hasEll = term.labels.includes(ELLIPSIS);
          if (hasEll ? t.ndim < letters : t.ndim !== letters) {
            throw new ChainruleError(
              `einsum: operand ${i} has shape ${fmtShape(t.shape)} but its term in '${equation}' names ${letters} dim${letters === 1 ? '' : 's'}${hasEll ? ' and an ellipsis' : ''}`,
            );
          }
          return hasEll ? t.ndim - letters : 0;
        }),
      );
      const sizes = new Map<Label, number>();
      const counts = new Map<Label, number>();
      let ops: Operand[] = parsed.inputs.map((term, i) => {
        const t0 = list[i].dtype === work ? list[i] : cast(list[i], work);
        const labels: Label[] = [];
        for (const l of term.labels) {
          if (l !== ELLIPSIS) {
            labels.push(l);
            counts.set(l, (counts.get(l) ?? 0) + 1);
          }
          else {
            const k = t0.ndim - (term.labels.length - 1);
            for (let j = 0; j < k; j++) labels.push(-(1 + ellRank - k + j));
          }
        }
        const op = diagonalize({ t: t0, labels }, i, equation);
        op.labels.forEach((l, d) => {
          const n = op.t.shape[d];
          const prev = sizes.get(l);
          if (prev !== undefined && prev !== n && prev !== 1 && n !== 1) {
            throw new ChainruleError(`einsum: subscript ${labelText(l)} has size ${prev} in one operand and ${n} in operand ${i} of '${equation}' (they must match or be 1)`);
          }
          if (prev === undefined || prev === 1) sizes.set(l, n);
        });
        return op;
      });

      let out: Label[];
      const ell = Array.from({ length: ellRank }, (_, j) => -(1 + j));
      if (parsed.output) {
        out = [];
        for (const l of parsed.output.labels) {
          if (l === ELLIPSIS) {
            out.push(...ell);
            continue;
          }
          if (!sizes.has(l)) throw new ChainruleError(`einsum: output subscript ${labelText(l)} of '${equation}' does not appear in any operand`);
          if (out.includes(l)) throw new ChainruleError(`einsum: output subscript ${labelText(l)} appears more than once in '${equation}'`);
          out.push(l);
        }
      } else {
        const once = [...counts.entries()].filter(([l, c]) => l >= 0 && c === 1).map(([l]) => l);
        out = [...ell, ...once.sort((a, b) => a - b)];
      }

      // labels no other operand and not the output needs are summed first, then pairs contract
      const outSet = new Set(out);
      ops = ops.map((op, i) => sumOut(op, new Set([...outSet, ...ops.filter((_, j) => j !== i).flatMap((o) => o.labels)])));
      let acc = ops[0];
      for (let i = 1; i < ops.length; i++) {
        const keep = new Set([...outSet, ...ops.slice(i + 1).flatMap((o) => o.labels)]);
        acc = contract(acc, ops[i], keep);
      }
      acc = sumOut(acc, outSet);
      // an output label broadcast to a larger size elsewhere takes that size
      const target = out.map((l) => sizes.get(l) as number);
      let y = arrange(acc, out);
      if (!sameShape(y.shape, target)) y = expand(y, target);
      return work === dtype ? y : cast(y, dtype);
    },
);

/** Takes the diagonal over each label repeated within one operand ('ii' -> 'i'). */
function diagonalize(op: Operand, i: number, eq: string): Operand {
  const uniq = [...new Set(op.labels)];
  if (uniq.length === op.labels.length) return op;
  const st = stridesOf(op.t.shape);
  const shape: number[] = [];
  const strides: number[] = [];
  for (const l of uniq) {
    const dims = op.labels.map((m, d) => (m === l ? d : -1)).filter((d) => d >= 0);
    const n = op.t.shape[dims[0]];
    for (const d of dims) {
      if (op.t.shape[d] !== n) {
        throw new ChainruleError(`einsum: subscript ${labelText(l)} is repeated in operand ${i} of '${eq}' with sizes ${n} and ${op.t.shape[d]} (shape ${fmtShape(op.t.shape)})`);
      }
    }
    shape.push(n);
    strides.push(dims.reduce((a, d) => a + st[d], 0));
  }
  return { t: asStrided(op.t, shape, strides, 0), labels: uniq };
}

// ---- batched and scaled products -------------------------------------------------------------

/** The factors of addmm and baddbmm (torch's beta and alpha): beta·input + alpha·product. */
export interface ScaledProductOptions {
  /** the factor of the added input (default 1); with 0 the input's values are not read (NaN stays out) */
  beta?: number;
  /** the factor of the product (default 1) */
  alpha?: number;
}

/**
 * Batched matrix product of two 3-D tensors with the same batch size: [B, n, m] @ [B, m, p] ->
 * [B, n, p] (torch.bmm; no broadcasting).
 * @example bmm(ones([2, 3, 4]), ones([2, 4, 5])).shape // [2, 3, 5]
 */
export const bmm = defineOp(
  { name: 'bmm', doc: 'Batched matrix product of two 3-D tensors of one batch size, [B, n, m] @ [B, m, p] (torch.bmm; no broadcasting).', inputs: ['input', 'mat2'] },
  () =>
    function bmm(x: Tensor, y: Tensor): Tensor {
      assertTensor(x, 'bmm');
      assertTensor(y, 'bmm', 'mat2');
      if (x.ndim !== 3 || y.ndim !== 3) throw new ChainruleError(`bmm: expected two 3-D tensors, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
      floatOperands('bmm', x, y);
      if (x.shape[0] !== y.shape[0] || x.shape[2] !== y.shape[1]) {
        throw new ChainruleError(`bmm: cannot multiply ${fmtShape(x.shape)} by ${fmtShape(y.shape)} (batch sizes must be equal and inner dimensions match)`);
      }
      return matmul(x, y);
    },
);

/** Products run on float tensors (chainrule's matmul has no integer kernel). */
function floatOperands(op: string, ...ts: Tensor[]): void {
  const bad = ts.find((t) => !isFloat(t.dtype));
  if (bad) throw new ChainruleError(`${op}: needs float tensors, got ${ts.map((t) => `${t.dtype} ${fmtShape(t.shape)}`).join(', ')}`);
}

/** beta·input + alpha·product, with input broadcast to the product's shape (shared by addmm and baddbmm). */
function scaledSum(op: string, input: Tensor, product: Tensor, opts: ScaledProductOptions): Tensor {
  assertTensor(input, op);
  const beta = assertNumber(opts.beta ?? 1, op, 'beta', false);
  const alpha = assertNumber(opts.alpha ?? 1, op, 'alpha', false);
  const shape = broadcastShapes(input.shape, product.shape, op);
  if (!sameShape(shape, product.shape)) {
    throw new ChainruleError(`${op}: input of shape ${fmtShape(input.shape)} does not broadcast to the product's shape ${fmtShape(product.shape)}`);
  }
  const p = alpha === 1 ? product : mul(product, alpha);
  if (beta === 0) return p;
  return add(beta === 1 ? input : mul(input, beta), p);
}

/**
 * beta·input + alpha·(mat1 @ mat2) for 2-D mat1 and mat2, input broadcast to the product (torch.addmm).
 * @example addmm(ones([2]), ones([2, 3]), ones([3, 2]), { beta: 2 }).toArray() // [[5, 5], [5, 5]]
 */
export const addmm = defineOp(
  {
    name: 'addmm',
    doc: 'beta·input + alpha·(mat1 @ mat2) for 2-D matrices, input broadcast to the product (torch.addmm).',
    inputs: ['input', 'mat1', 'mat2'],
    params: [{ name: 'options', type: 'options', default: null }],
    latex: ([c, a, b]) => `${c} + ${a} ${b}`,
  },
  () =>
    function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, opts: ScaledProductOptions = {}): Tensor {
      assertTensor(mat1, 'addmm', 'mat1');
      assertTensor(mat2, 'addmm', 'mat2');
      if (mat1.ndim !== 2 || mat2.ndim !== 2 || mat1.shape[1] !== mat2.shape[0]) {
        throw new ChainruleError(`addmm: expected matrices [n, m] and [m, p], got ${fmtShape(mat1.shape)} and ${fmtShape(mat2.shape)}`);
      }
      floatOperands('addmm', mat1, mat2);
      return scaledSum('addmm', input, matmul(mat1, mat2), opts);
    },
);

/**
 * beta·input + alpha·bmm(batch1, batch2), input broadcast to the product (torch.baddbmm).
 * @example baddbmm(zeros([2, 3, 5]), ones([2, 3, 4]), ones([2, 4, 5]), { alpha: 0.5 }).max().item() // 2
 */
export const baddbmm = defineOp(
  {
    name: 'baddbmm',
    doc: 'beta·input + alpha·bmm(batch1, batch2), input broadcast to the product (torch.baddbmm).',
    inputs: ['input', 'batch1', 'batch2'],
    params: [{ name: 'options', type: 'options', default: null }],
    latex: ([c, a, b]) => `${c} + ${a} ${b}`,
  },
  () =>
    function baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, opts: ScaledProductOptions = {}): Tensor {
      assertTensor(batch1, 'baddbmm', 'batch1');
      assertTensor(batch2, 'baddbmm', 'batch2');
      if (batch1.ndim !== 3 || batch2.ndim !== 3 || batch1.shape[0] !== batch2.shape[0] || batch1.shape[2] !== batch2.shape[1]) {
        throw new ChainruleError(`baddbmm: expected batches [B, n, m] and [B, m, p], got ${fmtShape(batch1.shape)} and ${fmtShape(batch2.shape)}`);
      }
      floatOperands('baddbmm', batch1, batch2);
      return scaledSum('baddbmm', input, matmul(batch1, batch2), opts);
    },
);

/**
 * The Kronecker product, as torch.kron: of [a0, a1, ...] and [b0, b1, ...] (ranks padded with
 * leading 1s), the [a0·b0, a1·b1, ...] tensor of blocks a[i]·b.
 * @example kron(tensor([1, 2]), tensor([1, 10])).toArray() // [1, 10, 2, 20]
 */
export const kron = defineOp(
  { name: 'kron', doc: 'The Kronecker product (torch.kron): blocks a[i]·b, shape the elementwise product of the shapes (ranks padded).', inputs: ['input', 'other'], latex: ([a, b]) => `${a} \\otimes ${b}` },
  () =>
    function kron(a: Tensor, b: Tensor): Tensor {
      assertTensor(a, 'kron');
      assertTensor(b, 'kron', 'other');
      const r = Math.max(a.ndim, b.ndim);
      const sa = [...Array.from({ length: r - a.ndim }, () => 1), ...a.shape];
      const sb = [...Array.from({ length: r - b.ndim }, () => 1), ...b.shape];
      const y = mul(
        reshape(
          a,
          sa.flatMap((n) => [n, 1]),
        ),
        reshape(
          b,
          sb.flatMap((n) => [1, n]),
        ),
      );
      return reshape(
        y,
        sa.map((n, i) => n * sb[i]),
      );
    },
);
