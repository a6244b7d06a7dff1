import { backward } from '../autograd/functional.js';
import { getBackend } from '../backend/registry.js';
import { tensor } from '../tensor/creation.js';
import { positionals } from './args.js';
import type { Command } from './command.js';

export const demo: Command = {
  name: 'demo',
  summary: 'Network N from the seed homework: forward values and every gradient (upstream dLoss/dx8 = 3)',
  help: `usage: chainrule demo

Computes Network N of the seed homework with the engine's ops and autograd, in float64: every
node's value, its gradient for the upstream gradient dLoss/dx8 = 3, and one SGD step with
learning rate 0.1. \`chainrule solve network-n\` writes the same problem as a worked solution.`,
  options: {},
  run: (args) => {
    positionals(args, 0, 'no arguments', 'demo');
    const f64 = { dtype: 'float64' as const };
    const p = (v: number) => tensor([v], { ...f64, requiresGrad: true });
    const [x1, x2, x3, x4] = [0, 2, -1, 2].map(p);
    const [a, b, c, d] = [3, 4, 2, 2].map(p);
    const x5 = x1.sigmoid().retainGrad();
    const x6 = a.mul(x2).add(b.mul(x3)).add(c.mul(x2).mul(x3)).retainGrad();
    const x7 = x4.pow(2).add(d).retainGrad();
    const x8 = x6.exp().div(x5.exp().add(x6.exp()).add(x7.exp()));
    backward(x8, 3);
    const rows: [string, number, number | null][] = [
      ['x5', x5.item(), x5.grad?.item() ?? null],
      ['x6', x6.item(), x6.grad?.item() ?? null],
      ['x7', x7.item(), x7.grad?.item() ?? null],
      ['x8', x8.item(), 3],
      ...(['x1', 'x2', 'x3', 'x4', 'a', 'b', 'c', 'd'] as const).map((n, i): [string, number, number | null] => {
        const t = [x1, x2, x3, x4, a, b, c, d][i];
        return [n, t.item(), t.grad?.item() ?? null];
      }),
    ];
    console.log(`backend: ${getBackend()}`);
    console.log('name        value            dLoss/d(name)');
    for (const [n, v, g] of rows) console.log(`${n.padEnd(4)} ${v.toPrecision(10).padStart(16)} ${g === null ? '' : g.toPrecision(10).padStart(20)}`);
    for (const [n, t] of [['a', a], ['b', b], ['c', c], ['d', d]] as const) {
      console.log(`${n} <- ${n} - 0.1 * dLoss/d${n} = ${(t.item() - 0.1 * (t.grad?.item() ?? 0)).toPrecision(12)}`);
    }
    return 0;
  },
};
