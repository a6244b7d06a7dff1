// Memory check: training steps of an MLP classifier (Linear 128->256, ReLU, Linear 256->10,
// cross-entropy, Adam; a fresh random batch of 64 every step, as a data loader gives) on one
// backend, printing the resident set size, the V8 heap and the external (typed-array) memory
// every 1,000 steps, then the RSS growth from the first report to the last. No tensor is ever
// disposed: the garbage collector alone must keep memory flat. On native, also the storage pool's
// bytes (native/storage.cc): in use by live tensors and cached for reuse.
//   node --conditions=source --import tsx bench/native-rss.ts [steps] [--backend native|wasm|js]
import { F, getBackend, manualSeed, nn, optim, randint, randn, setBackend } from 'chainrule';
import { nativeAddon } from '../src/backend/native/load.js';

const args = process.argv.slice(2);
const b = args.indexOf('--backend');
if (b >= 0) setBackend(args[b + 1] as 'native' | 'wasm' | 'js');
const steps = Number(args.find((a, i) => /^\d+$/.test(a) && i !== b + 1) ?? 10_000);
manualSeed(0);
const model = new nn.Sequential(new nn.Linear(128, 256), new nn.ReLU(), new nn.Linear(256, 10));
const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1).padStart(7);
const report = (label: string) => {
  const m = process.memoryUsage();
  const pool = getBackend() === 'native' && nativeAddon ? nativeAddon.storageStats() : null;
  const pooled = pool ? `  pool live ${mib(pool.liveBytes)} MiB  cached ${mib(pool.cachedBytes)} MiB` : '';
  console.log(`${label}  RSS ${mib(m.rss)} MiB  heap ${mib(m.heapUsed)} MiB  external ${mib(m.external + m.arrayBuffers)} MiB${pooled}`);
  return m.rss;
};
report(`backend ${getBackend()}, start`.padEnd(24));
const t0 = Date.now();
let first = 0;
let last = 0;
for (let i = 1; i <= steps; i++) {
  const x = randn([64, 128]);
  const y = randint(0, 10, [64]);
  const loss = F.crossEntropy(model.forward(x), y);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  if (i % 1000 === 0) {
    last = report(`step ${String(i).padStart(6)}  loss ${loss.item().toFixed(3)}`);
    if (!first) first = last;
  }
}
console.log(`${steps} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s; RSS from the first report to the last: ${((last - first) / 2 ** 20).toFixed(1)} MiB`);
