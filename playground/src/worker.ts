// The training worker: owns the Trainer, trains while playing, and posts a snapshot (metrics,
// weights, gradients, heat maps, the selected example's trace) about once per frame, so the page
// only draws.
import { Trainer } from './core/network.js';
import type { FromWorker, Snapshot, ToWorker } from './protocol.js';

let trainer: Trainer | null = null;
let configId = 0;
let playing = false;
let selected = 0;
let heatOn = true;
let timer: ReturnType<typeof setTimeout> | null = null;
/** time spent training between two snapshots (ms): the heat maps update about 30 times a second */
const BUDGET = 30;

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

/** At most ~300 points of the loss history (every k-th, and always the last). */
function thin<T>(h: readonly T[]): T[] {
  if (h.length <= 300) return [...h];
  const k = Math.ceil(h.length / 300);
  const out = h.filter((_, i) => i % k === 0);
  if ((h.length - 1) % k !== 0) out.push(h[h.length - 1]);
  return out;
}

function snapshot(): void {
  if (!trainer) return;
  const m = trainer.metrics();
  const heat = heatOn ? trainer.heatMaps() : null;
  const grads: Record<string, Float64Array> = {};
  for (const [k, v] of trainer.lastGrads) grads[k] = v;
  const ex = trainer.exampleTrace(selected);
  const snap: Snapshot = {
    type: 'snapshot',
    id: configId,
    epoch: trainer.epoch,
    steps: trainer.steps,
    playing,
    ...m,
    history: thin(trainer.history),
    weights: trainer.weights(),
    grads,
    heat,
    example: { index: Math.min(selected, trainer.train.labels.length - 1), ...ex },
  };
  post(snap, heat ? [heat.inputs.buffer as ArrayBuffer, ...heat.layers.map((l) => l.buffer as ArrayBuffer)] : []);
}

function loop(): void {
  timer = null;
  if (!playing || !trainer) return;
  const t0 = performance.now();
  try {
    do trainer.trainEpoch();
    while (performance.now() - t0 < BUDGET);
  } catch (e) {
    playing = false;
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
  snapshot();
  timer = setTimeout(loop, 0);
}

function fail(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'config':
      try {
        const next = new Trainer(msg.state, msg.train, msg.test, msg.classes, msg.regression);
        trainer = next;
        configId = msg.id;
        snapshot();
      } catch (e) {
        post({ type: 'error', message: fail(e) });
      }
      break;
    case 'play':
      playing = true;
      if (!timer) timer = setTimeout(loop, 0);
      break;
    case 'pause':
      playing = false;
      snapshot();
      break;
    case 'step':
      playing = false;
      trainer?.trainEpoch();
      snapshot();
      break;
    case 'select':
      selected = msg.index;
      if (!playing) snapshot();
      break;
    case 'heatmaps':
      heatOn = msg.on;
      if (!playing) snapshot();
      break;
    case 'export-safetensors':
      if (trainer) post({ type: 'exported', id: msg.id, bytes: trainer.exportSafetensors() });
      break;
    case 'import-safetensors':
      if (!trainer) break;
      try {
        trainer.importSafetensors(msg.bytes);
        post({ type: 'imported', id: msg.id });
        snapshot();
      } catch (e) {
        post({ type: 'imported', id: msg.id, error: fail(e) });
      }
      break;
  }
};
