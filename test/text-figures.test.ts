// The textclf report's figures and its self-contained HTML page.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { confusionSvg, lossSvg, prCurveSvg } from '../src/text/charts.js';
import { reportHtml } from '../src/text/report.js';
import { parseXml, xmlUnescape } from './explain-graph-xml.js';

const words = (svg: string) => parseXml(svg).texts.map(xmlUnescape);

describe('textclf figures', () => {
  it('the PR curve has a y label and the chance baseline at the prevalence', () => {
    const svg = prCurveSvg([{ name: 'cnn', pr: { precision: [1, 0.9, 0.5], recall: [0, 0.5, 1], averagePrecision: 0.8, rocAuc: 0.9 } }], 'spam', 0.3);
    assert.ok(words(svg).includes('precision'));
    assert.ok(words(svg).includes('chance (prevalence 0.300)'));
  });
  it('the loss plot marks the restored epoch', () => {
    const h = [1, 2, 3, 4].map((epoch) => ({ epoch, trainLoss: 1 / epoch, devLoss: 1 / epoch + 0.1 * epoch, devMacroF1: 0.5 + 0.1 * Math.min(epoch, 3) }));
    const svg = lossSvg('cnn', h as never, 3);
    assert.equal(words(svg).filter((w) => w === 'restored: epoch 3').length, 2);
    assert.ok(words(svg).includes('loss'));
  });
  it('the confusion matrix has a colour bar from 0 to the largest count', () => {
    const w = words(confusionSvg(['ham', 'spam'], [[700, 3], [5, 445]], 'cnn (test)'));
    for (const t of ['700', '350', '0']) assert.ok(w.includes(t), t);
  });
  it('the report as one HTML page with its SVG figures inlined', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainrule-report-'));
    try {
      writeFileSync(join(dir, 'confusion.svg'), confusionSvg(['a', 'b'], [[3, 1], [0, 4]], 't'));
      const html = reportHtml('Report', '# Report\n\nText $x^2$.\n\n![confusion matrix (test)](confusion.svg)\n', dir);
      assert.match(html, /<figure class="figure">\n<svg /);
      assert.match(html, /<figcaption>confusion matrix \(test\)<\/figcaption>/);
      assert.doesNotMatch(html, /src="confusion\.svg"/);
      assert.match(html, /class="katex"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
