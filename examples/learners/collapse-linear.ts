/**
 * Without activation functions a stack of Linear layers is one Linear layer (seed 002,
 * question 5): W_k(…(W_2(W_1 x + b_1) + b_2)…) + b_k = W x + b with
 *
 *   W = W_k ⋯ W_2 W_1,   b = W_k(⋯(W_2 b_1 + b_2)⋯) + b_k.
 *
 * Run: node --conditions=source --import tsx examples/learners/collapse-linear.ts
 */
import { ChainruleError, type Tensor, nn, noGrad, randn, zeros } from 'chainrule';

/**
 * The single Linear layer equal to a Sequential of Linear (and Identity) layers.
 * @example collapseLinear(new nn.Sequential(new nn.Linear(4, 8), new nn.Linear(8, 2))).weight.shape // [2, 4]
 */
export function collapseLinear(seq: nn.Sequential): nn.Linear {
  const layers = [...seq].filter((m) => !(m instanceof nn.Identity));
  layers.forEach((m, i) => {
    if (!(m instanceof nn.Linear)) {
      throw new ChainruleError(`collapseLinear: layer ${i} is ${m.constructor.name}; only Linear (and Identity) layers collapse into one`);
    }
  });
  const lins = layers as nn.Linear[];
  if (lins.length === 0) throw new ChainruleError('collapseLinear: the Sequential has no Linear layer');
  return noGrad(() => {
    let W: Tensor = lins[0].weight.detach();
    let b: Tensor = lins[0].bias ? lins[0].bias.detach() : zeros([lins[0].outFeatures], { dtype: W.dtype });
    for (const l of lins.slice(1)) {
      if (l.inFeatures !== W.shape[0]) {
        throw new ChainruleError(`collapseLinear: a layer with ${l.inFeatures} inputs follows one with ${W.shape[0]} outputs`);
      }
      W = l.weight.matmul(W);
      b = l.weight.matmul(b);
      if (l.bias) b = b.add(l.bias);
    }
    const out = new nn.Linear(lins[0].inFeatures, lins[lins.length - 1].outFeatures).to(W.dtype as 'float32' | 'float64');
    out.loadStateDict({ weight: W.to(out.weight.dtype), bias: b.to(out.weight.dtype) });
    return out;
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const deep = new nn.Sequential(new nn.Linear(5, 16), new nn.Linear(16, 16), new nn.Identity(), new nn.Linear(16, 3)).to('float64');
  const one = collapseLinear(deep);
  const x = randn([4, 5], { dtype: 'float64' });
  const diff = noGrad(() => deep.forward(x).sub(one.forward(x)).abs().max().item());
  console.log(deep.toString());
  console.log(`collapsed to ${one.extraRepr()}; max |difference| on random inputs: ${diff.toExponential(2)}`);
}
