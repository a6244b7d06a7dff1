// The playground's browser tests: the app built from this checkout into a temporary folder, served
// by the CLI's own static server on 127.0.0.1, driven by playwright-core in Debian's Chromium (it
// downloads no browser). Every test records console errors and requests outside the page's origin.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { serveStatic } from '../../src/cli/playground.js';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function skipReason(): string | null {
  return existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM): the playground's browser tests are skipped`;
}

/** Builds the app (Vite, from playground/) into a fresh temporary folder and returns it. */
export async function buildApp(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'chainrule-playground-'));
  const { build } = await import('vite');
  await build({ configFile: join(process.cwd(), 'playground', 'vite.config.ts'), logLevel: 'error', build: { outDir: out, emptyOutDir: true } });
  return out;
}

export interface Session {
  url: string;
  browser: BrowserContext;
  profile: string;
  close(): Promise<void>;
}

/** Serves `root` on 127.0.0.1 and starts Chromium headless with a fresh profile (--user-data-dir) and no background networking. */
export async function start(root: string): Promise<Session> {
  const server = serveStatic(root);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const profile = mkdtempSync(join(tmpdir(), 'chainrule-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    url,
    browser,
    profile,
    async close() {
      await browser.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface Watched {
  page: Page;
  /** console errors, uncaught exceptions, failed requests */
  errors: string[];
  /** requests to anything but the page's own origin (blob: and data: of the page are its own) */
  foreign: string[];
}

/** A new page at `hash`, watching errors and foreign requests; resolves when the first snapshot is drawn. */
export async function open(s: Session, hash: string, viewport = { width: 1280, height: 900 }): Promise<Watched> {
  const context = s.browser;
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  const errors: string[] = [];
  const foreign: string[] = [];
  const origin = new URL(s.url).origin;
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('request', (r) => {
    const u = r.url();
    if (u.startsWith('data:') || u.startsWith(`blob:${origin}/`)) return;
    if (new URL(u).origin !== origin) foreign.push(u);
  });
  await page.goto(`${s.url}${hash ? `#${hash}` : ''}`);
  try {
    await page.waitForFunction(() => (window as unknown as { __playground?: { ready: boolean } }).__playground?.ready === true, null, { timeout: 20_000 });
  } catch (e) {
    throw new Error(`the page never drew a snapshot (${errors.join('; ') || 'no error reported'}): ${(e as Error).message}`);
  }
  return { page, errors, foreign };
}

export type Readout = 'trainLoss' | 'testLoss' | 'trainAccuracy' | 'testAccuracy';

/** Clicks Play, waits until a read-out passes a bound (checked on every snapshot) or maxEpochs, then pauses. */
export async function trainUntil(page: Page, key: Readout, cmp: '<' | '>=', bound: number, maxEpochs: number): Promise<{ epoch: number; trainLoss: number; testLoss: number; trainAccuracy: number }> {
  await page.getByTestId('play').click();
  await page.waitForFunction(
    ([k, c, b, max]) => {
      const s = (window as unknown as { __playground: { lastSnapshot: Record<string, number> | null } }).__playground.lastSnapshot;
      if (!s) return false;
      const v = s[k as string];
      return (c === '<' ? v < (b as number) : v >= (b as number)) || s.epoch >= (max as number);
    },
    [key, cmp, bound, maxEpochs] as const,
    { timeout: 120_000, polling: 50 },
  );
  await page.getByTestId('pause').click();
  return readouts(page);
}

/** The read-outs as the page shows them (full precision from their data-value). */
export async function readouts(page: Page): Promise<{ epoch: number; trainLoss: number; testLoss: number; trainAccuracy: number }> {
  const v = async (id: string) => Number(await page.getByTestId(id).getAttribute('data-value'));
  return { epoch: Number(await page.getByTestId('epoch').textContent()), trainLoss: await v('train-loss'), testLoss: await v('test-loss'), trainAccuracy: await v('train-accuracy') };
}
