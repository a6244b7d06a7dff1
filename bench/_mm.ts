import { randn, matmul } from 'chainrule';
import { kernels } from '../src/backend/registry.js';
function med(f: () => void, reps: number) { for (let i = 0; i < 5; i++) f(); const t: number[] = []; for (let r = 0; r < reps; r++) { const t0 = process.hrtime.bigint(); f(); t.push(Number(process.hrtime.bigint() - t0) / 1e6); } t.sort((a, b) => a - b); return t[t.length >> 1]; }
for (const n of [256, 512, 1024, 2048]) {
  const a = randn([n, n]), b = randn([n, n]);
  const reps = n >= 2048 ? 11 : 41;
  const spec = { batch: 1, m: n, n, k: n, transA: false, transB: false, strideA: 0, strideB: 0 };
  const out = new Float32Array(n * n);
  const tf = med(() => { a.matmul(b); }, reps);
  const tk = med(() => { kernels().matmul(a.data, b.data, out, spec); }, reps);
  const ta = med(() => { const o = new Float32Array(n * n); kernels().matmul(a.data, b.data, o, spec); }, reps);
  console.log(n, 'tensor', tf.toFixed(3), 'kernel-reuse', tk.toFixed(3), 'kernel-fresh', ta.toFixed(3), 'ms', (2*n**3/tk/1e6).toFixed(1), 'GF reuse');
}
