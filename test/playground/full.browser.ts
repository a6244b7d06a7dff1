// The longer playground browser tests, run by `npm run test:playground` (not by npm test): the
// circle with and without the distance feature, the spiral, hover formulas, bad CSV and
// safetensors files, and a measurement of frames and steps per second with a 6 × 8 network and
// heat maps on, and of the time to interactive (printed, never asserted).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type Session, buildApp, open, skipReason, start, trainUntil } from './harness.js';

const reason = skipReason();
if (reason) console.log(`# ${reason}`);

type Probe = { frames: number; lastSnapshot: { epoch: number; steps: number; weights: { name: string; data: Record<string, number> }[] } };
const probe = (page: Page) => page.evaluate(() => (window as unknown as { __playground: Probe }).__playground.lastSnapshot);

describe('playground in Chromium (full)', { skip: reason ?? false }, () => {
  let app = '';
  let s: Session;
  before(async () => {
    app = await buildApp();
    s = await start(app);
  });
  after(async () => {
    await s?.close();
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('circle: one linear unit on X1, X2 stays near 50%, and passes 95% once the distance feature is on', async () => {
    const w = await open(s, 'dataset=circle&features=x1,x2&layers=&activation=linear&lr=0.03');
    const flat = await trainUntil(w.page, 'trainAccuracy', '>=', 0.8, 100);
    // one straight line through a disc: about half the points on each side, whatever it learns
    assert.ok(flat.trainAccuracy > 0.3 && flat.trainAccuracy < 0.75, `without the distance feature: ${flat.trainAccuracy}`);
    await w.page.getByTestId('feature-dist').check();
    await w.page.getByTestId('epoch').filter({ hasText: '000' }).waitFor();
    const dist = await trainUntil(w.page, 'trainAccuracy', '>=', 0.96, 300);
    assert.ok(dist.trainAccuracy > 0.95, `with the distance feature: ${dist.trainAccuracy}`);
    assert.deepEqual(w.errors, []);
    assert.deepEqual(w.foreign, []);
    await w.page.close();
  });

  it('spiral with two hidden layers of 8 trains below 0.1 test loss', async () => {
    const w = await open(s, 'dataset=spiral&features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2&layers=8,8&activation=tanh&optimizer=adam&lr=0.03&ratio=80');
    const r = await trainUntil(w.page, 'testLoss', '<', 0.1, 300);
    assert.ok(r.testLoss < 0.1, `test loss ${r.testLoss} after ${r.epoch} epochs`);
    // a hover shows the neuron's formula with the numbers of the selected example
    await w.page.getByTestId('neuron-1-1').hover();
    const tip = w.page.locator('#tip .katex');
    await tip.waitFor();
    assert.match((await tip.textContent()) ?? '', /z1\[1\]=w11\[1\]x1\+.*=\(?−?\d/);
    assert.deepEqual(w.errors, []);
    await w.page.close();
  });

  it('a bad CSV names the row and column, and leaves the data and the run as they were', async () => {
    const w = await open(s, 'dataset=gauss&layers=2');
    await w.page.getByTestId('step-once').click();
    await w.page.getByTestId('epoch').filter({ hasText: '001' }).waitFor();
    const before = await probe(w.page);
    for (const [text, message] of [
      ['x,y,label\n1,2,0\n3,,1\n', 'row 3, column 2 (y) is missing'],
      ['x,y,label\n1,2,0\n3,abc,1\n', 'row 3, column 2 (y) is not a number'],
      ['a,b,c,label\n1,2,3,0\n4,5,6,1\n', 'has 4 columns'],
      ['x,y,label\n1,2,1\n3,4,1\n', 'every row has label 1'],
    ]) {
      await w.page.getByTestId('csv-input').setInputFiles({ name: 'points.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
      await w.page.getByTestId('message').filter({ hasText: message }).waitFor();
      assert.equal(await w.page.getByTestId('dataset-gauss').getAttribute('aria-pressed'), 'true');
      assert.deepEqual(await probe(w.page), before);
    }
    // a good one replaces the data
    await w.page.getByTestId('csv-input').setInputFiles({ name: 'points.csv', mimeType: 'text/csv', buffer: Buffer.from('x,y,label\n1,1,0\n2,2,0\n-1,-1,1\n-2,-1,1\n1,2,0\n-2,-2,1\n') });
    await w.page.getByTestId('dataset-csv').and(w.page.locator('[aria-pressed="true"]')).waitFor();
    assert.deepEqual(w.errors, []);
    await w.page.close();
  });

  it('a safetensors file of another architecture or a corrupt one is refused, naming the tensor and both shapes', async () => {
    const other = await open(s, 'dataset=circle&layers=4');
    const [dl] = await Promise.all([other.page.waitForEvent('download'), other.page.getByTestId('export-safetensors').click()]);
    const bytes = Buffer.from(await (await dl.createReadStream()).toArray().then((c) => Buffer.concat(c as Buffer[])));
    await other.page.close();
    const w = await open(s, 'dataset=circle&layers=3');
    const before = await probe(w.page);
    await w.page.getByTestId('import-safetensors').setInputFiles({ name: 'w.safetensors', mimeType: 'application/octet-stream', buffer: bytes });
    await w.page.getByTestId('message').filter({ hasText: "tensor fc.0.weight has shape [4, 2] in the file, the network's is [3, 2]" }).waitFor();
    await w.page.getByTestId('import-safetensors').setInputFiles({ name: 'bad.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a safetensors file') });
    await w.page.getByTestId('message').filter({ hasText: 'safetensors' }).filter({ hasNotText: 'fc.0.weight' }).waitFor();
    assert.deepEqual(await probe(w.page), before);
    // and a file of the same architecture loads
    const [dl2] = await Promise.all([w.page.waitForEvent('download'), w.page.getByTestId('export-safetensors').click()]);
    const same = Buffer.concat((await (await dl2.createReadStream()).toArray()) as Buffer[]);
    await w.page.getByTestId('import-safetensors').setInputFiles({ name: 'same.safetensors', mimeType: 'application/octet-stream', buffer: same });
    await w.page.getByTestId('message').filter({ hasText: 'Weights imported' }).waitFor();
    assert.deepEqual(w.errors, []);
    await w.page.close();
  });

  it('measures frames and steps per second (6 × 8 network, heat maps on) and the time to interactive', async () => {
    const hash = 'dataset=spiral&features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2&layers=8,8,8,8,8,8&activation=tanh&lr=0.03';
    const loads: number[] = [];
    for (let i = 0; i < 3; i++) {
      const w = await open(s, hash);
      loads.push(await w.page.evaluate(() => performance.now()));
      await w.page.close();
    }
    const w = await open(s, hash);
    // the frame rate of the page at rest, for comparison
    const f0 = await w.page.evaluate(() => ({ t: performance.now(), f: (window as unknown as { __playground: Probe }).__playground.frames }));
    await w.page.waitForTimeout(2000);
    const f1 = await w.page.evaluate(() => ({ t: performance.now(), f: (window as unknown as { __playground: Probe }).__playground.frames }));
    await w.page.getByTestId('play').click();
    await w.page.waitForTimeout(1000);
    const t0 = await w.page.evaluate(() => ({ t: performance.now(), f: (window as unknown as { __playground: Probe }).__playground.frames, s: (window as unknown as { __playground: Probe }).__playground.lastSnapshot.steps, e: (window as unknown as { __playground: Probe }).__playground.lastSnapshot.epoch }));
    await w.page.waitForTimeout(5000);
    const t1 = await w.page.evaluate(() => ({ t: performance.now(), f: (window as unknown as { __playground: Probe }).__playground.frames, s: (window as unknown as { __playground: Probe }).__playground.lastSnapshot.steps, e: (window as unknown as { __playground: Probe }).__playground.lastSnapshot.epoch }));
    await w.page.getByTestId('pause').click();
    const sec = (t1.t - t0.t) / 1000;
    const report = {
      framesPerSecond: Number(((t1.f - t0.f) / sec).toFixed(1)),
      framesPerSecondIdle: Number(((f1.f - f0.f) / ((f1.t - f0.t) / 1000)).toFixed(1)),
      stepsPerSecond: Number(((t1.s - t0.s) / sec).toFixed(0)),
      epochsPerSecond: Number(((t1.e - t0.e) / sec).toFixed(1)),
      timeToInteractiveMs: loads.map((x) => Math.round(x)),
    };
    console.log(`# playground speed (6x8 tanh, 7 features, batch 10, heat maps on): ${JSON.stringify(report)}`);
    assert.ok(t1.f > t0.f && t1.s > t0.s);
    assert.deepEqual(w.errors, []);
    await w.page.close();
  });
});
