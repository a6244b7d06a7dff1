// Memory check: 10,000 small training steps (matmul + relu + sum + backward + in-place update under
// noGrad) on the active backend; prints the resident set size every 1,000 steps.
//   node --conditions=source --import tsx bench/native-rss.ts [steps]
import { type Tensor, getBackend, manualSeed, noGrad, randn } from 'chainrule';

const steps = Number(process.argv[2] ?? 10_000);
manualSeed(0);
const x = randn([64, 128]);
const w = randn([128, 64], { requiresGrad: true });
const mib = () => (process.memoryUsage().rss / 2 ** 20).toFixed(1);
console.log(`backend ${getBackend()}, start RSS ${mib()} MiB`);
const t0 = Date.now();
for (let i = 1; i <= steps; i++) {
  const loss = x.matmul(w).relu().sum();
  loss.backward();
  noGrad(() => {
    w.data.set(w.sub((w.grad as Tensor).mul(1e-5)).dataSync());
  });
  w.grad = null;
  if (i % 1000 === 0) console.log(`step ${String(i).padStart(6)}  RSS ${mib()} MiB  loss ${loss.item().toFixed(3)}`);
}
console.log(`${steps} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
