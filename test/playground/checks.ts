// What the browser tests compare the page with: the library's own gradients for the network and
// example of an exported problem file, computed with nn modules and F's losses (not the problem
// engine the page used), and a helper that walks step mode to a line.
import { F, type Tensor, nn, parseProblem, tensor } from 'chainrule/browser';
import type { Locator, Page } from 'playwright-core';

/** Clicks Next in step mode (built for training example `example`) until the line of `node` in `phase` is in the panel; returns it. */
export async function stepTo(page: Page, example: number, node: string, phase: string): Promise<Locator> {
  const panel = `[data-testid="step-panel"][data-example="${example}"]`;
  const line = page.locator(`${panel} li[data-node="${node}"][data-phase="${phase}"]`);
  await page.locator(`${panel} li`).first().waitFor();
  for (let i = 0; i < 500 && (await line.count()) === 0; i++) await page.getByTestId('step-next').click();
  await line.waitFor();
  return line;
}

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

/**
 * dL/dW and dL/db of every layer for the problem file's network and example, computed by the
 * library the way a user would: nn.Linear layers (float64) loaded with the file's weights, the
 * activation modules, the loss from F, and the file's regularisation term.
 */
export function libraryGradients(yaml: string): Record<string, number[]> {
  const p = parseProblem(yaml, 'export.yaml');
  const x = flat(p.inputs.get('x'));
  const target = p.inputs.get('t') as number;
  const lambda = (p.inputs.get('lambda') as number | undefined) ?? 0;
  const layers: nn.Linear[] = [];
  for (let k = 1; p.params.has(`W${k}`); k++) {
    const W = p.params.get(`W${k}`) as number[][];
    const fc = new nn.Linear(W[0].length, W.length).to('float64');
    fc.weight.data.set(flat(W));
    fc.bias?.data.set(flat(p.params.get(`b${k}`)));
    layers.push(fc);
  }
  const nodes = new Map(p.nodes.map((d) => [d.name, d.source]));
  const actOf = (src: string | undefined): ((t: Tensor) => Tensor) => {
    const m = src ? /^(tanh|relu|sigmoid)\(/.exec(src) : null;
    if (!m) return (t) => t;
    const mod = m[1] === 'tanh' ? new nn.Tanh() : m[1] === 'relu' ? new nn.ReLU() : new nn.Sigmoid();
    return (t) => mod.forward(t);
  };
  let h = tensor([x], { dtype: 'float64' });
  layers.forEach((fc, i) => {
    const k = i + 1;
    const z = fc.forward(h);
    h = actOf(nodes.get(k === layers.length ? 'yhat' : `a${k}`))(z);
  });
  const L = nodes.get('L') as string;
  let loss = L.startsWith('bce_logits')
    ? F.bceWithLogitsLoss(h, tensor([[target]], { dtype: 'float64' }))
    : L.startsWith('cross_entropy')
      ? F.crossEntropy(h, tensor([target], { dtype: 'int32' }))
      : F.mseLoss(h, tensor([[target]], { dtype: 'float64' }));
  if (lambda) {
    const l1 = L.includes('abs(');
    const pen = layers.map((fc) => (l1 ? fc.weight.abs().sum() : fc.weight.square().sum())).reduce((a, b) => a.add(b));
    loss = loss.add(pen.mul(lambda));
  }
  loss.backward();
  const out: Record<string, number[]> = {};
  layers.forEach((fc, i) => {
    out[`W${i + 1}`] = Array.from(fc.weight.grad?.data as Float64Array);
    out[`b${i + 1}`] = Array.from(fc.bias?.grad?.data as Float64Array);
  });
  return out;
}
