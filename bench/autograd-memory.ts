// Memory check of the backward sweep (issue 17): the typed-array memory (process.memoryUsage's
// arrayBuffers, after full collections) a training step's graph holds after the forward, inside
// the sweep's last backward (a probe op at the bottom of the graph, so every intermediate gradient
// the sweep still holds is counted), and after backward while the loss is still alive. Run with
// and without retainGraph: without it the graph's saved tensors are released as the sweep goes.
// Models: an MLP (8 x Linear 512 -> 512, GELU, Dropout; batch 512) and a 2-layer GRU (256 -> 256,
// 64 steps, batch 64), on the js backend unless --backend says otherwise.
//   node --expose-gc --conditions=source --import tsx bench/autograd-memory.ts [--backend native|wasm|js]
import { type Tensor, customOp, manualSeed, nn, randn, setBackend } from 'chainrule';

const args = process.argv.slice(2);
const b = args.indexOf('--backend');
setBackend(b >= 0 ? (args[b + 1] as 'native' | 'wasm' | 'js') : 'js');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('bench/autograd-memory: run node with --expose-gc');
const tick = () => new Promise((r) => setImmediate(r));
// typed arrays are freed by the collections after the one that finds them unreachable
async function settled(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await tick();
  }
  return process.memoryUsage().arrayBuffers;
}
const MiB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

let inLastBackward = 0;
// the identity, whose backward is the last the sweep runs (it is the graph's first op)
const probe = customOp({
  name: 'probe',
  forward: (x) => x.mul(1),
  backward: (g) => {
    gc?.();
    gc?.();
    inLastBackward = process.memoryUsage().arrayBuffers;
    return [g];
  },
});

interface Model {
  params: Tensor[];
  loss: (x: Tensor) => Tensor;
  input: () => Tensor;
}

manualSeed(0);
const mlpLayers: (nn.Linear | InstanceType<typeof nn.GELU> | nn.Dropout)[] = [];
for (let i = 0; i < 8; i++) mlpLayers.push(new nn.Linear(512, 512), new nn.GELU(), new nn.Dropout(0.1));
const mlp = new nn.Sequential(...mlpLayers);
const gru = new nn.GRU(256, 256, { numLayers: 2 });
const models: Record<string, Model> = {
  mlp: { params: mlp.parameters(), loss: (x) => mlp.call(probe(x)).square().mean(), input: () => randn([512, 512], { requiresGrad: true }) },
  gru: { params: gru.parameters(), loss: (x) => gru.call(probe(x))[0].square().mean(), input: () => randn([64, 64, 256], { requiresGrad: true }) },
};

for (const [name, m] of Object.entries(models)) {
  for (const retainGraph of [false, true]) {
    const x = m.input();
    let line = '';
    // the first step warms up (kernels, pools); the second is reported
    for (let step = 0; step < 2; step++) {
      for (const p of m.params) p.grad = null;
      x.grad = null;
      const base = await settled();
      let loss: Tensor | null = m.loss(x);
      const forward = (await settled()) - base;
      loss.backward({ retainGraph });
      const sweepEnd = inLastBackward - base;
      const after = (await settled()) - base;
      loss = null; // held until here, so `after` counts what the graph still holds
      line = `forward graph ${MiB(forward)}, in the sweep's last backward ${MiB(sweepEnd)}, after backward with the loss alive ${MiB(after)}`;
    }
    console.log(`${name.padEnd(4)} retainGraph ${String(retainGraph).padEnd(5)}: ${line}`);
  }
}
