// Shared by the backend tests: one small training computation whose loss and gradients must not
// depend on the backend that runs it.
import { type Tensor, getBackend, manualSeed, randn, setBackend, tensor } from 'chainrule';

/** Loss and the gradients of w1, b1, w2 of a 30-50-10 MLP (GELU) on a fixed batch of 64. */
export function mlpGrads(backend: string, dtype: 'float32' | 'float64'): number[][] {
  const prev = getBackend();
  setBackend(backend);
  try {
    manualSeed(7);
    const x = randn([64, 30], { dtype });
    const w1 = randn([30, 50], { dtype, requiresGrad: true });
    const b1 = randn([50], { dtype, requiresGrad: true });
    const w2 = randn([50, 10], { dtype, requiresGrad: true });
    const labels = tensor(Int32Array.from({ length: 64 }, (_, i) => (i * 7) % 10));
    const logits = x.matmul(w1).add(b1).gelu().matmul(w2);
    const loss = logits.logSoftmax(1).gather(1, labels.unsqueeze(1)).mean().neg();
    loss.backward();
    return [[loss.item()], ...[w1, b1, w2].map((t) => [...(t.grad as Tensor).dataSync()])];
  } finally {
    setBackend(prev);
  }
}

import type { BinaryKernel, UnaryKernel } from '../src/backend/types.js';
import { tableKernels } from '../src/ops/table.js';

const KERNELS = tableKernels();

/** The table's unary kernel of this name (the backends are called with kernels, not names). */
export function U(name: string): UnaryKernel {
  const k = KERNELS.unary.find((x) => x.name === name);
  if (!k) throw new Error(`no unary kernel ${name} in the op table`);
  return k;
}

/** The table's binary kernel of this name. */
export function B(name: string): BinaryKernel {
  const k = KERNELS.binary.find((x) => x.name === name);
  if (!k) throw new Error(`no binary kernel ${name} in the op table`);
  return k;
}

/** Every elementwise kernel of the op table. */
export const ALL_KERNELS = KERNELS;
