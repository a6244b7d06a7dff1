// The worked solutions of every example, as HTML, in headless Chromium at a phone's width
// (390 px) and a desktop's (1280 px): no equation's content reaches outside its box, the page
// never scrolls sideways, and at 1280 px no equation needs a scroll box of its own. Skipped, with
// the reason printed, where Debian's Chromium is not installed (apt-get install chromium);
// `node scripts/check-layout.mjs FILE.html` runs the same probe with screenshots.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { derive, render, solveFile } from 'chainrule';
// @ts-expect-error: a plain ES module script, shared with scripts/check-layout.mjs
import { CHROMIUM, WIDTHS, launch, probe } from '../scripts/check-layout.mjs';
import { root } from './explain-helpers.js';

const dir = join(root, 'examples', 'problems');
const examples = readdirSync(dir).filter((f) => f.endsWith('.yaml') && !f.endsWith('.answers.yaml'));
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
if (skip) console.log(`# explain-html-layout: skipped: ${skip}`);

describe('worked solutions in Chromium at 390 and 1280 px', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'chainrule-layout-test-'));
  let browser: { context: unknown; close: () => Promise<void> };
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    rmSync(work, { recursive: true, force: true });
  });
  for (const f of examples) {
    for (const symbolic of [false, true]) {
      it(`${f}${symbolic ? ' --symbolic' : ''}`, async () => {
        const page = join(work, `${f}${symbolic ? '-symbolic' : ''}.html`);
        writeFileSync(page, render(derive(solveFile(join(dir, f)), { symbolic }), 'html'));
        for (const width of WIDTHS as number[]) {
          const r = await probe(browser.context, page, width, null);
          assert.ok(r.equations > 3, `${f} @${width}: ${r.equations} equations`);
          assert.deepEqual(r.overflow, [], `${f} @${width}px: equations overflow their box`);
          assert.ok(!r.sideways, `${f} @${width}px: the page is ${r.pageWidth}px wide`);
          if (width >= 1000) assert.deepEqual(r.scrolled, [], `${f} @${width}px: equations need a scroll box`);
        }
      });
    }
  }
});
