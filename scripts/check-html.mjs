#!/usr/bin/env node
// Renders HTML pages and SVG files in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core, which downloads no browser), takes a screenshot of each and fails when the page
// logs a console error or warning, throws, requests anything from the network, shows a KaTeX
// error, or (for pages with maths) did not load KaTeX's inlined fonts.
// Not part of npm test: CI has no Chromium.
//
//   node scripts/check-html.mjs page.html graph.svg [--out DIR (default $TMPDIR/chainrule-check-html)] [--width 1000] [--height 800]
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const files = [];
const opt = { out: join(tmpdir(), 'chainrule-check-html'), width: 1000, height: 800 };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--out') opt.out = args[++i];
  else if (a === '--width') opt.width = Number(args[++i]);
  else if (a === '--height') opt.height = Number(args[++i]);
  else if (a === '--help' || a === '-h') {
    console.log('usage: node scripts/check-html.mjs FILE.html|FILE.svg ... [--out DIR] [--width PX] [--height PX]');
    process.exit(0);
  } else files.push(a);
}
if (files.length === 0) {
  console.error('check-html: give at least one .html or .svg file');
  process.exit(2);
}
mkdirSync(opt.out, { recursive: true });

const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const profile = mkdtempSync(join(tmpdir(), 'chainrule-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: opt.width, height: opt.height },
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});

let failed = false;
try {
  for (const file of files) {
    const page = await context.newPage();
    const problems = [];
    const network = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    // the page must be self-contained: anything but the file itself and data: URLs is refused and reported
    const url = pathToFileURL(resolve(file)).href;
    await page.route('**/*', (route) => {
      const u = route.request().url();
      if (u === url || u.startsWith('data:')) return route.continue();
      network.push(u);
      return route.abort();
    });
    const t0 = Date.now();
    await page.goto(url, { waitUntil: 'load' });
    await page.evaluate(() => document.fonts?.ready.then(() => true));
    const info = await page.evaluate(() => ({
      title: document.title,
      katex: document.querySelectorAll('.katex').length,
      katexDisplay: document.querySelectorAll('.katex-display').length,
      mathErrors: document.querySelectorAll('.math-error, .katex-error').length,
      fontsLoaded: document.fonts ? [...document.fonts].filter((f) => f.status === 'loaded').map((f) => `${f.family} ${f.weight} ${f.style}`) : [],
      svgNodes: document.querySelectorAll('svg g.node, svg polyline, svg text').length,
      width: document.documentElement.scrollWidth,
      height: document.documentElement.scrollHeight,
    }));
    // FILE.html -> DIR/FILE.html.png: never the input itself, even for a .png input
    const shot = join(opt.out, `${basename(file)}.png`);
    if (file.endsWith('.svg')) {
      // an SVG document: size the viewport to the drawing (full-page capture does not apply)
      const box = await page.evaluate(() => {
        const r = document.documentElement.getBoundingClientRect();
        return { width: Math.ceil(r.width), height: Math.ceil(r.height) };
      });
      await page.setViewportSize({ width: Math.min(Math.max(box.width, 100), 4000), height: Math.min(Math.max(box.height, 100), 4000) });
      await page.screenshot({ path: shot, timeout: 20000 });
    } else {
      await page.screenshot({ path: shot, fullPage: true, timeout: 20000 });
    }
    if (network.length) problems.push(`network requests (refused): ${network.join(', ')}`);
    if (info.mathErrors) problems.push(`${info.mathErrors} formula(s) KaTeX could not typeset`);
    if (info.katex > 0 && !info.fontsLoaded.some((f) => f.startsWith('KaTeX_Main'))) problems.push('KaTeX_Main font not loaded');
    const ok = problems.length === 0;
    failed ||= !ok;
    console.log(
      JSON.stringify(
        {
          file,
          ok,
          problems,
          title: info.title,
          katexFormulas: info.katex,
          displayFormulas: info.katexDisplay,
          fontsLoaded: info.fontsLoaded.length,
          katexFonts: info.fontsLoaded.filter((f) => f.startsWith('KaTeX')).map((f) => f.split(' ')[0]),
          svgElements: info.svgNodes,
          size: `${info.width}x${info.height}`,
          loadMs: Date.now() - t0,
          screenshot: shot,
        },
        null,
        2,
      ),
    );
    await page.close();
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
