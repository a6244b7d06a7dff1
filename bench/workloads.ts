/**
 * The benchmark's workloads: names, shapes and step definitions shared by every peer. The
 * orchestrator (bench/run.ts) sends these specs to each peer process, so chainrule, TensorFlow.js
 * and PyTorch (bench/torch_bench.py) always build the same shapes.
 */

/** C = A @ B with A, B random float32 n x n. */
export interface SgemmSpec {
  kind: 'sgemm';
  n: number;
}

/** Elementwise add of two float32 tensors of n elements, timed per op (no autograd). */
export interface SmallOpSpec {
  kind: 'smallop';
  n: number;
}

/**
 * One SGD training step of an MLP: Linear/ReLU layers (no activation after the last),
 * mean cross-entropy over `classes = sizes[last]`, backward, plain SGD (no momentum).
 */
export interface MlpSpec {
  kind: 'mlp';
  batch: number;
  sizes: number[];
  lr: number;
}

/**
 * One training step of a Kim-style text CNN: embedding (vocab x embed) -> for each width w a
 * Conv1d(embed, filters, w) + bias -> ReLU -> max over time; concat -> Linear(filters*widths, classes);
 * mean cross-entropy; backward; Adam step over all parameters.
 */
export interface TextCnnSpec {
  kind: 'textcnn';
  batch: number;
  seq: number;
  vocab: number;
  embed: number;
  widths: number[];
  filters: number;
  classes: number;
  lr: number;
}

/**
 * One training step of a one-layer GRU (PyTorch's gate equations, both bias vectors) over random
 * float inputs [seq, batch, input], a Linear(hidden, classes) on the final state, mean
 * cross-entropy, backward, Adam step.
 */
export interface GruSpec {
  kind: 'gru';
  batch: number;
  seq: number;
  input: number;
  hidden: number;
  classes: number;
  lr: number;
}

/**
 * One training step of a small image CNN over random images [batch, channels[0], size, size]:
 * for each further entry of channels a Conv2d(3x3, padding 1) -> ReLU -> MaxPool2d(2); flatten ->
 * Linear(hidden) -> ReLU -> Linear(classes); mean cross-entropy; backward; Adam step.
 */
export interface Cnn2dSpec {
  kind: 'cnn2d';
  batch: number;
  size: number;
  channels: number[];
  hidden: number;
  classes: number;
  lr: number;
}

/**
 * One training step of a transformer text classifier: Embedding(vocab, dModel) -> `layers` post-norm
 * TransformerEncoderLayers (dModel, heads, feed-forward ff, ReLU, dropout 0, batch first) -> mean
 * over the sequence -> Linear(dModel, classes); mean cross-entropy; backward; Adam step.
 */
export interface TransformerSpec {
  kind: 'transformer';
  batch: number;
  seq: number;
  vocab: number;
  dModel: number;
  heads: number;
  layers: number;
  ff: number;
  classes: number;
  lr: number;
}

/**
 * Scaled dot-product attention forward and backward: random float32 q, k, v [batch, heads, seq,
 * dim] that require gradients, causal or not; the loss is the sum of the output. PyTorch 1.13 has
 * no fused kernel and computes it as matmul, masked softmax, matmul.
 */
export interface AttentionSpec {
  kind: 'attention';
  batch: number;
  heads: number;
  seq: number;
  dim: number;
  causal: boolean;
}

export type WorkloadSpec = SgemmSpec | SmallOpSpec | MlpSpec | TextCnnSpec | GruSpec | Cnn2dSpec | TransformerSpec | AttentionSpec;

export interface Workload {
  name: string;
  /** unit of the reported time per iteration */
  unit: 'ms' | 'us';
  spec: WorkloadSpec;
  /** floating-point operations per iteration, when a GFLOP/s figure makes sense */
  flops?: number;
  /** report the peak resident-memory growth of the first step (peers measure it for every workload) */
  memory?: boolean;
}

function sgemm(n: number): Workload {
  return { name: `sgemm-${n}`, unit: 'ms', spec: { kind: 'sgemm', n }, flops: 2 * n * n * n };
}

/** The default workload list, at the sizes the issue asks for. */
export const WORKLOADS: readonly Workload[] = [
  sgemm(256),
  sgemm(512),
  sgemm(1024),
  sgemm(2048),
  { name: 'add-16', unit: 'us', spec: { kind: 'smallop', n: 16 } },
  { name: 'mlp-step', unit: 'ms', spec: { kind: 'mlp', batch: 256, sizes: [1024, 1024, 1024, 10], lr: 0.01 } },
  {
    name: 'textcnn-step',
    unit: 'ms',
    spec: { kind: 'textcnn', batch: 64, seq: 256, vocab: 5000, embed: 128, widths: [3, 4, 5], filters: 100, classes: 2, lr: 1e-3 },
  },
  { name: 'gru-step', unit: 'ms', spec: { kind: 'gru', batch: 64, seq: 100, input: 128, hidden: 128, classes: 2, lr: 1e-3 } },
  { name: 'cnn2d-step', unit: 'ms', spec: { kind: 'cnn2d', batch: 64, size: 28, channels: [1, 32, 64], hidden: 128, classes: 10, lr: 1e-3 } },
  {
    name: 'transformer-step',
    unit: 'ms',
    spec: { kind: 'transformer', batch: 32, seq: 128, vocab: 20_000, dModel: 128, heads: 4, layers: 2, ff: 512, classes: 2, lr: 1e-3 },
  },
  attention(2048, 'attention-long'),
  attention(1024, 'attention-long-1024'),
  attention(4096, 'attention-long-4096'),
];

function attention(seq: number, name: string): Workload {
  return { name, unit: 'ms', spec: { kind: 'attention', batch: 2, heads: 4, seq, dim: 64, causal: true }, memory: true };
}

/** The flattened feature count of a cnn2d spec: the last channel count times the image side halved per block, squared. */
export function cnn2dFeatures(s: Cnn2dSpec): number {
  let side = s.size;
  for (let i = 1; i < s.channels.length; i++) side = Math.floor(side / 2);
  return s.channels[s.channels.length - 1] * side * side;
}

/**
 * Rough floating-point operations of one iteration (GEMM work only: forward, plus twice that for
 * the backward less the input's own gradient), used to skip peers too slow to finish a step.
 */
export function estimatedFlops(spec: WorkloadSpec): number {
  switch (spec.kind) {
    case 'sgemm':
      return 2 * spec.n ** 3;
    case 'smallop':
      return 0;
    case 'mlp': {
      const layers = spec.sizes.slice(1).map((n, i) => 2 * spec.batch * spec.sizes[i] * n);
      return 3 * layers.reduce((a, b) => a + b, 0) - layers[0];
    }
    case 'textcnn': {
      const conv = spec.widths.map((w) => 2 * spec.batch * (spec.seq - w + 1) * spec.filters * spec.embed * w);
      return 3 * conv.reduce((a, b) => a + b, 0);
    }
    case 'gru': {
      const proj = 2 * spec.batch * 3 * spec.hidden * spec.seq;
      return 3 * proj * (spec.input + spec.hidden) - proj * spec.input;
    }
    case 'cnn2d': {
      let side = spec.size;
      let convs = 0;
      for (let i = 1; i < spec.channels.length; i++) {
        convs += 2 * spec.batch * side * side * spec.channels[i] * spec.channels[i - 1] * 9;
        side = Math.floor(side / 2);
      }
      const fc = 2 * spec.batch * (cnn2dFeatures(spec) * spec.hidden + spec.hidden * spec.classes);
      return 3 * (convs + fc);
    }
    case 'transformer': {
      const tokens = spec.batch * spec.seq;
      const proj = 2 * tokens * spec.dModel * (4 * spec.dModel + 2 * spec.ff);
      const attn = 4 * spec.batch * spec.seq * spec.seq * spec.dModel;
      return 3 * spec.layers * (proj + attn);
    }
    case 'attention': {
      // QKᵀ and AV forward, four products backward; causal halves the useful work but not PyTorch's
      return 6 * 2 * spec.batch * spec.heads * spec.seq * spec.seq * spec.dim;
    }
  }
}

/** Tiny versions of the same workloads, for the smoke test. */
export const TINY: Record<WorkloadSpec['kind'], WorkloadSpec> = {
  sgemm: { kind: 'sgemm', n: 8 },
  smallop: { kind: 'smallop', n: 16 },
  mlp: { kind: 'mlp', batch: 8, sizes: [12, 16, 16, 3], lr: 0.1 },
  textcnn: { kind: 'textcnn', batch: 4, seq: 12, vocab: 20, embed: 6, widths: [2, 3], filters: 5, classes: 2, lr: 0.02 },
  gru: { kind: 'gru', batch: 4, seq: 5, input: 6, hidden: 7, classes: 2, lr: 0.02 },
  cnn2d: { kind: 'cnn2d', batch: 4, size: 8, channels: [1, 3, 4], hidden: 6, classes: 3, lr: 0.02 },
  transformer: { kind: 'transformer', batch: 3, seq: 5, vocab: 20, dModel: 8, heads: 2, layers: 2, ff: 12, classes: 2, lr: 0.02 },
  attention: { kind: 'attention', batch: 1, heads: 2, seq: 7, dim: 4, causal: true },
};

/** A prepared workload inside one peer: `step` runs one iteration, `loss` the last loss if any. */
export interface Runner {
  step(): void;
  /** training workloads: the loss of the most recent step */
  lastLoss?(): number;
  /** frees what the peer cannot leave to the garbage collector (TensorFlow.js tensors) */
  release?(): void;
  /** iterations a smallop step performs (per-op time = step time / opsPerStep) */
  opsPerStep?: number;
}
