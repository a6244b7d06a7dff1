#!/usr/bin/env node
// Renders worked solutions (HTML) in headless Chromium at a phone's width (390 px) and a
// desktop's (1280 px), takes a full-page screenshot of each and measures every equation: no
// piece of one may reach outside its box, the page may not scroll sideways, and at 1280 px no
// equation may need its own scroll box. Debian's /usr/bin/chromium is driven by playwright-core,
// which downloads no browser. test/explain-html-layout.test.ts runs the same probe in npm test
// (skipped where Chromium is absent).
//
//   node scripts/check-layout.mjs page.html ... [--out DIR] [--widths 390,1280]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const WIDTHS = [390, 1280];

/** A headless Chromium with a fresh profile; close() removes the profile. */
export async function launch() {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'chainrule-layout-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Loads a page at a width and measures its equations: what overflows its box, and what needs a scroll box. */
export async function probe(context, file, width, shot) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: 900 });
  await page.route('**/*', (route) => (route.request().url().startsWith('file:') || route.request().url().startsWith('data:') ? route.continue() : route.abort()));
  await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: 'load' });
  await page.evaluate(() => document.fonts?.ready.then(() => true));
  const r = await page.evaluate(() => {
    const eqs = [...document.querySelectorAll('.eq')];
    const overflow = [];
    const scrolled = [];
    eqs.forEach((eq, i) => {
      const box = eq.getBoundingClientRect();
      for (const piece of eq.querySelectorAll('.piece')) {
        const p = piece.getBoundingClientRect();
        const text = piece.textContent.slice(0, 60);
        if (p.right > box.right + 1 || p.left < box.left - 1 - 40) overflow.push({ eq: i, text, by: Math.round(p.right - box.right) });
        if (piece.scrollWidth > piece.clientWidth + 3) scrolled.push({ eq: i, text, by: piece.scrollWidth - piece.clientWidth });
      }
      // an element inside a piece that the piece's own box cuts off (overflow hidden) would be lost
      for (const piece of eq.querySelectorAll('.piece')) {
        const katex = piece.querySelector('.katex');
        if (katex && katex.getBoundingClientRect().height > piece.getBoundingClientRect().height + 2) overflow.push({ eq: i, text: piece.textContent.slice(0, 60), by: 'clipped vertically' });
      }
    });
    return { equations: eqs.length, overflow, scrolled, pageWidth: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight };
  });
  if (shot) {
    // in pieces of 1500 px, so a long page can be looked at: FILE-1.png, FILE-2.png, ...
    for (let y = 0, k = 1; y < r.height; y += 1500, k++) {
      await page.screenshot({ path: shot.replace(/\.png$/, `-${k}.png`), fullPage: true, clip: { x: 0, y, width, height: Math.min(1500, r.height - y) }, timeout: 30000 });
    }
  }
  await page.close();
  return { file, width, ...r, sideways: r.pageWidth > width };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  let out = join(tmpdir(), 'chainrule-check-layout');
  let widths = WIDTHS;
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') out = args[++i];
    else if (args[i] === '--widths') widths = args[++i].split(',').map(Number);
    else files.push(args[i]);
  }
  if (files.length === 0) {
    console.error('usage: node scripts/check-layout.mjs page.html ... [--out DIR] [--widths 390,1280]');
    process.exit(2);
  }
  mkdirSync(out, { recursive: true });
  const { context, close } = await launch();
  let failed = false;
  try {
    for (const f of files) {
      for (const w of widths) {
        const shot = join(out, `${basename(f, '.html')}-${w}.png`);
        const r = await probe(context, f, w, shot);
        const bad = r.overflow.length > 0 || r.sideways || (w >= 1000 && r.scrolled.length > 0);
        failed ||= bad;
        console.log(`${bad ? 'FAIL' : 'ok  '} ${basename(f)} @${w}px: ${r.equations} equations, ${r.overflow.length} overflowing, ${r.scrolled.length} in a scroll box, page ${r.pageWidth}x${r.height} -> ${shot}`);
        for (const o of [...r.overflow, ...r.scrolled.map((s) => ({ ...s, scroll: true }))].slice(0, 8)) console.log(`     ${o.scroll ? 'scrolls' : 'overflows'} by ${o.by}: ${o.text}`);
      }
    }
  } finally {
    await close();
  }
  process.exit(failed ? 1 : 0);
}
