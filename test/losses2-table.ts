// The op-table losses (src/ops/loss.ts, src/ops/ctc.ts), one function per case of
// scripts/fixtures/losses2.py: each case names its loss, its options and the views its inputs are
// read through, so the table is built from those fields and checked by op-table.ts's machinery
// (values, gradients, float64 gradcheck, double backward and float32).
import { readFileSync } from 'node:fs';
import { F, type Tensor } from 'chainrule';
import type { OpTable, TableFn } from './op-table.js';

type Options = Record<string, unknown>;

/** The distance functions of the triplet_margin_with_distance cases, by name (as losses2.py has them). */
const DISTANCES: Record<string, (a: Tensor, b: Tensor) => Tensor> = {
  l1: (a, b) => a.sub(b).abs().sum(-1),
  cosine: (a, b) => F.cosineSimilarity(a, b).neg().add(1),
};

/** Each loss by the fixture's kind, called with the tensors as the loss reads them. */
const LOSSES: Record<string, (xs: Tensor[], o: Options) => Tensor> = {
  smooth_l1: ([x, y], o) => F.smoothL1Loss(x, y, o),
  huber: ([x, y], o) => F.huberLoss(x, y, o),
  kl_div: ([x, y], o) => F.klDiv(x, y, o),
  margin_ranking: ([a, b, y], o) => F.marginRankingLoss(a, b, y, o),
  triplet_margin: ([a, p, n], o) => F.tripletMarginLoss(a, p, n, o),
  triplet_margin_with_distance: ([a, p, n], o) => F.tripletMarginWithDistanceLoss(a, p, n, { ...o, distanceFunction: DISTANCES[String(o.distance)] ?? null }),
  cosine_embedding: ([a, b, y], o) => F.cosineEmbeddingLoss(a, b, y, o),
  poisson_nll: ([x, y], o) => F.poissonNllLoss(x, y, o),
  gaussian_nll: ([x, y, v], o) => F.gaussianNllLoss(x, y, v, o),
  soft_margin: ([x, y], o) => F.softMarginLoss(x, y, o),
  multilabel_margin: ([x, y], o) => F.multilabelMarginLoss(x, y, o),
  multilabel_soft_margin: ([x, y, w], o) => F.multilabelSoftMarginLoss(x, y, { ...o, weight: o.weight ? w : null }),
  ctc: ([lp, y, il, tl], o) => F.ctcLoss(o.logSoftmax ? lp.logSoftmax(-1) : lp, y, il, tl, o),
};

/** An input as the loss reads it (see losses2.py): transposed, every other row, or expanded. */
function view(x: Tensor, v: string): Tensor {
  if (v === 'T') return x.transpose(0, -1);
  if (v === 'step') return x.slice(0, 0, x.shape[0], 2);
  return x.expand([Number(v.split(':')[1]), ...x.shape.slice(1)]);
}

interface LossCase {
  name: string;
  kind: string;
  options: Options;
  views: Record<string, string>;
}

function table(fixture: string): OpTable {
  const special: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };
  const text = readFileSync(new URL(`./fixtures/${fixture}`, import.meta.url), 'utf8');
  const cases: LossCase[] = JSON.parse(text, (_k, v) => (typeof v === 'string' && v in special ? special[v] : v)).cases;
  const ops: Record<string, TableFn> = {};
  for (const c of cases) {
    const loss = LOSSES[c.kind];
    if (!loss) throw new Error(`${c.name}: no loss named ${c.kind}`);
    ops[c.name] = (...xs) => loss(xs.map((x, i) => (c.views[i] ? view(x, c.views[i]) : x)), c.options);
  }
  return { fixture, ops };
}

export const LOSSES_TABLE = table('losses2.json');
export const CTC_TABLE = table('losses2-ctc.json');
