/**
 * The benchmark workloads in TensorFlow.js 4.x (the @tensorflow/tfjs bundle, which registers the
 * gradients, with its cpu backend or @tensorflow/tfjs-backend-wasm), written
 * the way a TypeScript user would: core ops, tf.variable parameters, optimizer.minimize. The wasm
 * binary is loaded from the npm package's dist folder, so nothing is fetched at run time.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  type AttentionSpec,
  type Cnn2dSpec,
  type GruSpec,
  type MlpSpec,
  type Runner,
  type SgemmSpec,
  type SmallOpSpec,
  type TextCnnSpec,
  type TransformerSpec,
  type WorkloadSpec,
  cnn2dFeatures,
} from './workloads.js';

/** Selects the cpu or wasm backend and reports the versions in use. */
export async function initTfjs(backend: string): Promise<Record<string, unknown>> {
  if (backend === 'wasm') {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    setWasmPaths(`${dir}/`);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend ${backend} failed to initialise`);
  await tf.ready();
  const info: Record<string, unknown> = { library: 'tfjs', version: tf.version_core, backend: tf.getBackend() };
  if (backend === 'wasm') {
    info.simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    info.threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    info.note =
      'textcnn-step: conv1d as im2col + matMul and the embedding gradient as scatterND; cnn2d-step: the filter gradient as im2col + matMul (no Conv2DBackpropFilter and UnsortedSegmentSum kernels in wasm)';
  }
  return info;
}

function uniform(shape: number[], bound: number): tf.Variable {
  return tf.variable(tf.randomUniform(shape, -bound, bound));
}

function linear(fanIn: number, fanOut: number): { w: tf.Variable; b: tf.Variable } {
  const bound = 1 / Math.sqrt(fanIn);
  return { w: uniform([fanIn, fanOut], bound), b: uniform([fanOut], bound) };
}

function labels(batch: number, classes: number): tf.Tensor {
  return tf.oneHot(tf.randomUniformInt([batch], 0, classes), classes);
}

/** A training step driven by optimizer.minimize; keeps every intermediate inside a tidy. */
function trainer(loss: () => tf.Scalar, opt: tf.Optimizer, owned: tf.Tensor[]): Runner {
  let last = Number.NaN;
  return {
    step() {
      const l = opt.minimize(loss, true);
      if (!l) throw new Error('tfjs: minimize returned no loss');
      last = l.dataSync()[0];
      l.dispose();
    },
    lastLoss: () => last,
    release() {
      opt.dispose();
      for (const t of owned) t.dispose();
    },
  };
}

function sgemm(s: SgemmSpec): Runner {
  const a = tf.randomNormal([s.n, s.n]);
  const b = tf.randomNormal([s.n, s.n]);
  return {
    step() {
      // both backends compute eagerly and synchronously inside the op call
      tf.matMul(a, b).dispose();
    },
    release() {
      a.dispose();
      b.dispose();
    },
  };
}

const SMALLOP_REPEAT = 1000;

function smallop(s: SmallOpSpec): Runner {
  const a = tf.randomNormal([s.n]);
  const b = tf.randomNormal([s.n]);
  return {
    step() {
      for (let i = 0; i < SMALLOP_REPEAT; i++) tf.add(a, b).dispose();
    },
    opsPerStep: SMALLOP_REPEAT,
    release() {
      a.dispose();
      b.dispose();
    },
  };
}

function mlp(s: MlpSpec): Runner {
  const layers = s.sizes.slice(1).map((n, i) => linear(s.sizes[i], n));
  const x = tf.randomNormal([s.batch, s.sizes[0]]);
  const y = labels(s.batch, s.sizes[s.sizes.length - 1]);
  const loss = () =>
    tf.tidy(() => {
      let h: tf.Tensor = x;
      layers.forEach((l, i) => {
        h = tf.add(tf.matMul(h, l.w), l.b);
        if (i < layers.length - 1) h = tf.relu(h);
      });
      return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
    });
  return trainer(loss, tf.train.sgd(s.lr), [x, y, ...layers.flatMap((l) => [l.w, l.b])]);
}

/**
 * Conv1d of [B, L, C] by a [width, C, F] filter. The wasm backend has no Conv2DBackpropFilter
 * kernel (tfjs 4.22), so there the convolution is written as im2col (slices + concat) and matMul.
 */
function conv1d(x: tf.Tensor3D, filter: tf.Tensor3D): tf.Tensor3D {
  if (tf.getKernel('Conv2DBackpropFilter', tf.getBackend())) return tf.conv1d(x, filter, 1, 'valid');
  const [batch, len, ch] = x.shape;
  const [width, , filters] = filter.shape;
  const out = len - width + 1;
  const windows = Array.from({ length: width }, (_, j) => tf.slice(x, [0, j, 0], [batch, out, ch]));
  const cols = tf.reshape(tf.concat(windows, 2), [batch * out, width * ch]);
  return tf.reshape(tf.matMul(cols, tf.reshape(filter, [width * ch, filters])), [batch, out, filters]);
}

/**
 * Embedding rows table[idx]. The gradient of tf.gather needs UnsortedSegmentSum, which the wasm
 * backend lacks (tfjs 4.22); there the gradient is a ScatterNd (which sums repeated indices).
 */
function embedding(table: tf.Tensor2D, idx: tf.Tensor1D): tf.Tensor2D {
  if (tf.getKernel('UnsortedSegmentSum', tf.getBackend())) return tf.gather(table, idx);
  const f = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [t, i, save] = inputs as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    save([i]);
    return {
      value: tf.gather(t, i),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [
        tf.scatterND(tf.expandDims(saved[0], 1), dy as tf.Tensor, t.shape),
        tf.zerosLike(saved[0]),
      ],
    };
  });
  return f(table, idx) as tf.Tensor2D;
}

function textcnn(s: TextCnnSpec): Runner {
  const emb = tf.variable(tf.randomNormal([s.vocab, s.embed]));
  const convs = s.widths.map((w) => {
    const bound = 1 / Math.sqrt(w * s.embed);
    return { filter: uniform([w, s.embed, s.filters], bound), b: uniform([s.filters], bound) };
  });
  const head = linear(s.filters * s.widths.length, s.classes);
  const tokens = tf.randomUniformInt([s.batch * s.seq], 0, s.vocab);
  const y = labels(s.batch, s.classes);
  const loss = () =>
    tf.tidy(() => {
      const e = tf.reshape(embedding(emb as tf.Tensor2D, tokens as tf.Tensor1D), [s.batch, s.seq, s.embed]) as tf.Tensor3D;
      const pooled = convs.map((c) => tf.max(tf.relu(tf.add(conv1d(e, c.filter as tf.Tensor3D), c.b)), 1));
      const logits = tf.add(tf.matMul(tf.concat(pooled, 1), head.w), head.b);
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    });
  const owned = [emb, tokens, y, head.w, head.b, ...convs.flatMap((c) => [c.filter, c.b])];
  return trainer(loss, tf.train.adam(s.lr, 0.9, 0.999, 1e-8), owned);
}

function gru(s: GruSpec): Runner {
  const h = s.hidden;
  const bound = 1 / Math.sqrt(h);
  const wi = uniform([s.input, 3 * h], bound);
  const wh = uniform([h, 3 * h], bound);
  const bi = uniform([3 * h], bound);
  const bh = uniform([3 * h], bound);
  const head = linear(h, s.classes);
  const xs = Array.from({ length: s.seq }, () => tf.randomNormal([s.batch, s.input]));
  const y = labels(s.batch, s.classes);
  const loss = () =>
    tf.tidy(() => {
      let state: tf.Tensor = tf.zeros([s.batch, h]);
      for (const x of xs) {
        const [ir, iz, inn] = tf.split(tf.add(tf.matMul(x, wi), bi), 3, 1);
        const [hr, hz, hn] = tf.split(tf.add(tf.matMul(state, wh), bh), 3, 1);
        const r = tf.sigmoid(tf.add(ir, hr));
        const z = tf.sigmoid(tf.add(iz, hz));
        const n = tf.tanh(tf.add(inn, tf.mul(r, hn)));
        state = tf.add(n, tf.mul(z, tf.sub(state, n)));
      }
      const logits = tf.add(tf.matMul(state, head.w), head.b);
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    });
  const owned = [wi, wh, bi, bh, head.w, head.b, y, ...xs];
  return trainer(loss, tf.train.adam(s.lr, 0.9, 0.999, 1e-8), owned);
}

/**
 * A 3x3 'same' convolution of NHWC x by an [3, 3, C, F] filter. Where the backend has no
 * Conv2DBackpropFilter kernel (wasm, tfjs 4.22) a custom gradient keeps the backend's own conv2d
 * forward and input gradient (Conv2DBackpropInput) and computes the filter gradient as im2col (the
 * nine shifted slices of the padded input) times the output gradient.
 */
function conv3x3(x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  if (tf.getKernel('Conv2DBackpropFilter', tf.getBackend())) return tf.conv2d(x, filter, 1, 'same');
  const f = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, fi, save] = inputs as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xi, fi]);
    return {
      value: tf.conv2d(xi, fi, 1, 'same'),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, fs] = saved as [tf.Tensor4D, tf.Tensor4D];
        const g = dy as tf.Tensor4D;
        const [b, h, w, c] = xs.shape;
        const dx = tf.conv2dTranspose(g, fs, [b, h, w, c], 1, 'same');
        const padded = tf.pad(xs, [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]);
        const taps: tf.Tensor[] = [];
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) taps.push(tf.slice(padded, [0, i, j, 0], [b, h, w, c]));
        const cols = tf.reshape(tf.concat(taps, 3), [b * h * w, 9 * c]);
        const df = tf.reshape(tf.matMul(cols, tf.reshape(g, [b * h * w, fs.shape[3]]), true, false), fs.shape);
        return [dx, df];
      },
    };
  });
  return f(x, filter) as tf.Tensor4D;
}

function cnn2d(s: Cnn2dSpec): Runner {
  const convs = s.channels.slice(1).map((c, i) => {
    const bound = 1 / Math.sqrt(9 * s.channels[i]);
    return { filter: uniform([3, 3, s.channels[i], c], bound), b: uniform([c], bound) };
  });
  const fc1 = linear(cnn2dFeatures(s), s.hidden);
  const fc2 = linear(s.hidden, s.classes);
  const x = tf.randomNormal([s.batch, s.size, s.size, s.channels[0]]);
  const y = labels(s.batch, s.classes);
  const loss = () =>
    tf.tidy(() => {
      let h = x as tf.Tensor4D;
      for (const c of convs) h = tf.maxPool(tf.relu(tf.add(conv3x3(h, c.filter as tf.Tensor4D), c.b)) as tf.Tensor4D, 2, 2, 'valid') as tf.Tensor4D;
      const flat = tf.reshape(h, [s.batch, cnn2dFeatures(s)]);
      const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(flat, fc1.w), fc1.b)), fc2.w), fc2.b);
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    });
  const owned = [x, y, fc1.w, fc1.b, fc2.w, fc2.b, ...convs.flatMap((c) => [c.filter, c.b])];
  return trainer(loss, tf.train.adam(s.lr, 0.9, 0.999, 1e-8), owned);
}

/** Layer norm over the last dim (eps 1e-5) with a learned scale and shift. */
function layerNorm(x: tf.Tensor, g: tf.Variable, b: tf.Variable): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
}

/** softmax(q kᵀ/√d (+ a causal mask)) v over [batch·heads, seq, dim], as matMul, softmax, matMul. */
function attend(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, causal: boolean): tf.Tensor3D {
  let scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(q.shape[2]));
  if (causal) {
    const n = q.shape[1];
    const keep = tf.linalg.bandPart(tf.ones([n, n]), -1, 0);
    scores = tf.add(scores, tf.mul(tf.sub(1, keep), -1e9));
  }
  return tf.matMul(tf.softmax(scores), v);
}

/**
 * The transformer step with core ops (tfjs has no attention layer): post-norm encoder layers with
 * fused in-projections as PyTorch's, ReLU feed-forward, mean over time, Linear, Adam.
 */
function transformer(s: TransformerSpec): Runner {
  const d = s.dModel;
  const dh = d / s.heads;
  const emb = tf.variable(tf.randomNormal([s.vocab, d])) as tf.Variable<tf.Rank.R2>;
  const layers = Array.from({ length: s.layers }, () => ({
    inProj: linear(d, 3 * d),
    outProj: linear(d, d),
    ff1: linear(d, s.ff),
    ff2: linear(s.ff, d),
    n1: [tf.variable(tf.ones([d])), tf.variable(tf.zeros([d]))] as const,
    n2: [tf.variable(tf.ones([d])), tf.variable(tf.zeros([d]))] as const,
  }));
  const fc = linear(d, s.classes);
  const tokens = tf.randomUniformInt([s.batch * s.seq], 0, s.vocab) as tf.Tensor1D;
  const y = labels(s.batch, s.classes);
  const heads = (t: tf.Tensor) => tf.reshape(tf.transpose(tf.reshape(t, [s.batch, s.seq, s.heads, dh]), [0, 2, 1, 3]), [s.batch * s.heads, s.seq, dh]) as tf.Tensor3D;
  const loss = () =>
    tf.tidy(() => {
      let x: tf.Tensor = embedding(emb, tokens);
      for (const l of layers) {
        const qkv = tf.add(tf.matMul(x, l.inProj.w), l.inProj.b);
        const [q, k, v] = tf.split(qkv, 3, 1);
        const a = attend(heads(q), heads(k), heads(v), false);
        const merged = tf.reshape(tf.transpose(tf.reshape(a, [s.batch, s.heads, s.seq, dh]), [0, 2, 1, 3]), [s.batch * s.seq, d]);
        x = layerNorm(tf.add(x, tf.add(tf.matMul(merged, l.outProj.w), l.outProj.b)), l.n1[0], l.n1[1]);
        const h = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, l.ff1.w), l.ff1.b)), l.ff2.w), l.ff2.b);
        x = layerNorm(tf.add(x, h), l.n2[0], l.n2[1]);
      }
      const pooled = tf.mean(tf.reshape(x, [s.batch, s.seq, d]), 1);
      return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(pooled, fc.w), fc.b)) as tf.Scalar;
    });
  const owned = [emb, tokens, y, fc.w, fc.b, ...layers.flatMap((l) => [l.inProj.w, l.inProj.b, l.outProj.w, l.outProj.b, l.ff1.w, l.ff1.b, l.ff2.w, l.ff2.b, ...l.n1, ...l.n2])];
  return trainer(loss, tf.train.adam(s.lr, 0.9, 0.999, 1e-8), owned);
}

/** Attention forward and backward of the output's sum with respect to q, k and v. */
function attentionStep(s: AttentionSpec): Runner {
  const shape: [number, number, number] = [s.batch * s.heads, s.seq, s.dim];
  const [q, k, v] = [0, 1, 2].map(() => tf.randomNormal(shape) as tf.Tensor3D);
  const f = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(attend(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, s.causal)));
  return {
    step() {
      tf.tidy(() => {
        for (const g of f([q, k, v])) g.dataSync();
      });
    },
    release() {
      for (const t of [q, k, v]) t.dispose();
    },
  };
}

/** Builds a TensorFlow.js workload on the backend chosen by initTfjs. */
export function buildTfjs(spec: WorkloadSpec): Runner {
  switch (spec.kind) {
    case 'sgemm':
      return sgemm(spec);
    case 'smallop':
      return smallop(spec);
    case 'mlp':
      return mlp(spec);
    case 'textcnn':
      return textcnn(spec);
    case 'gru':
      return gru(spec);
    case 'cnn2d':
      return cnn2d(spec);
    case 'transformer':
      return transformer(spec);
    case 'attention':
      return attentionStep(spec);
  }
}
