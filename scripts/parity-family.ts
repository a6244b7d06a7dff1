// Replays one op family of a parity fixture on every registered backend (or CHAINRULE_BACKEND's)
// and prints each failing case with its outcome, and the replay time per backend: the quick loop
// while drawing a new family (scripts/parity-triage.ts classifies the failures of whole fixtures).
//
//   node --conditions=source --import tsx scripts/parity-family.ts --family manip [--fixture default] [--op flip]
import { listBackends, setBackend } from 'chainrule';
import { loadFixture } from '../test/parity-fixture.js';
import { replay } from '../test/parity-replay.js';

function arg(name: string, dflt: string | undefined): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

const fixture = loadFixture(arg('fixture', 'default') as string);
const family = arg('family', undefined);
const op = arg('op', undefined);
const cases = fixture.cases.filter((c) => (!family || c.family === family) && (!op || c.op === op));
const backends = process.env.CHAINRULE_BACKEND ? [process.env.CHAINRULE_BACKEND] : listBackends();
for (const b of backends) {
  setBackend(b);
  const t0 = performance.now();
  let failed = 0;
  for (const c of cases) {
    const r = replay(c);
    if (r.outcome === 'pass') continue;
    failed++;
    console.log(`${b} ${c.id} (${c.dtype}) ${r.outcome}: ${r.detail}`);
  }
  console.log(`${b}: ${cases.length - failed} of ${cases.length} cases pass (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
