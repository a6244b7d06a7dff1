import { scaledDotProductAttention as sdpa, randn, matmul, softmax, tensor, getBackend } from 'chainrule';
const [B, H, T, D] = [2, 4, Number(process.argv[2] ?? 2048), 64];
const q = randn([B, H, T, D]).requiresGrad_(), k = randn([B, H, T, D]).requiresGrad_(), v = randn([B, H, T, D]).requiresGrad_();
const g = randn([B, H, T, D]);
const causal = tensor(Float32Array.from({ length: T * T }, (_, i) => (i % T > Math.floor(i / T) ? -Infinity : 0)), { shape: [T, T] });
for (let rep = 0; rep < 3; rep++) {
  let t0 = performance.now();
  const y = sdpa(q, k, v, { isCausal: true });
  const t1 = performance.now();
  y.mul(g).sum().backward();
  const t2 = performance.now();
  q.grad = k.grad = v.grad = null;
  const y2 = matmul(softmax(matmul(q, k.transpose(-2, -1)).mul(1 / 8).add(causal), -1), v);
  const t3 = performance.now();
  y2.mul(g).sum().backward();
  const t4 = performance.now();
  q.grad = k.grad = v.grad = null;
  console.log(getBackend(), `fused fwd ${(t1 - t0).toFixed(0)} ms bwd ${(t2 - t1).toFixed(0)} ms | composite fwd ${(t3 - t2).toFixed(0)} bwd ${(t4 - t3).toFixed(0)}`);
}
