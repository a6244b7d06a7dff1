import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Raster } from './plot-raster.js';

// Node-only (node:zlib, node:fs): used by the CLI; the browser-safe core stops at the RGBA raster.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * CRC-32 (the polynomial PNG and zlib use) of one or more byte arrays, as one stream.
 * @example crc32(new TextEncoder().encode('IEND')) // 0xae426082
 */
export function crc32(...parts: Uint8Array[]): number {
  let c = 0xffffffff;
  for (const p of parts) for (let i = 0; i < p.length; i++) c = CRC_TABLE[(c ^ p[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length);
  const tb = new TextEncoder().encode(type);
  out.set(tb, 4);
  out.set(body, 8);
  dv.setUint32(8 + body.length, crc32(tb, body));
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Filters each scanline with whichever of None/Sub/Up/Paeth has the smallest sum of |bytes| (the usual heuristic). */
function filterRows(r: Raster): Uint8Array {
  const stride = r.width * 4;
  const out = new Uint8Array(r.height * (stride + 1));
  const cand = [0, 1, 2, 4].map(() => new Uint8Array(stride));
  for (let y = 0; y < r.height; y++) {
    const row = r.data.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? r.data.subarray((y - 1) * stride, y * stride) : null;
    let best = 0;
    let bestScore = Number.POSITIVE_INFINITY;
    [0, 1, 2, 4].forEach((type, ci) => {
      const c = cand[ci];
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= 4 ? row[i - 4] : 0;
        const b = up ? up[i] : 0;
        const d = i >= 4 && up ? up[i - 4] : 0;
        const pred = type === 0 ? 0 : type === 1 ? a : type === 2 ? b : paeth(a, b, d);
        const v = (row[i] - pred) & 0xff;
        c[i] = v;
        score += v < 128 ? v : 256 - v;
      }
      if (score < bestScore) {
        bestScore = score;
        best = ci;
      }
    });
    out[y * (stride + 1)] = [0, 1, 2, 4][best];
    out.set(cand[best], y * (stride + 1) + 1);
  }
  return out;
}

/**
 * Encodes an RGBA raster as a PNG file (8-bit RGBA, zlib-compressed scanlines).
 * @example
 * ```ts
 * const png = encodePng(rasterizeScene(activationScene('relu,gelu')));
 * Array.from(png.slice(1, 4)) // [80, 78, 71]
 * ```
 */
export function encodePng(r: Raster): Uint8Array {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, r.width);
  dv.setUint32(4, r.height);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type 6 (RGBA), deflate, adaptive filtering, no interlace
  const idat = new Uint8Array(deflateSync(filterRows(r), { level: 9 }));
  const sig = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
  const parts = [sig, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

interface ResvgModule {
  Resvg: new (
    svg: string,
    opts: { fitTo?: { mode: 'zoom'; value: number }; font?: { fontFiles?: string[]; loadSystemFonts?: boolean; defaultFontFamily?: string; sansSerifFamily?: string }; background?: string },
  ) => { render(): { asPng(): Uint8Array } };
}

let resvg: Promise<ResvgModule | null> | null = null;

/** @resvg/resvg-js when it is installed (an optional peer dependency: its binaries come in npm packages), else null. */
export function loadResvg(): Promise<ResvgModule | null> {
  resvg ??= import('@resvg/resvg-js' as string).then(
    (m) => (m as { default?: ResvgModule }).default ?? (m as ResvgModule),
    () => null,
  );
  return resvg;
}

/** KaTeX's sans-serif and roman TrueType fonts (KaTeX is a dependency): the text font a machine without system fonts still has. */
function bundledFonts(): string[] {
  try {
    const req = createRequire(import.meta.url);
    const dir = join(dirname(req.resolve('katex/dist/katex.min.css')), 'fonts');
    return ['KaTeX_SansSerif-Regular.ttf', 'KaTeX_SansSerif-Bold.ttf', 'KaTeX_Main-Regular.ttf', 'KaTeX_Main-Bold.ttf'].map((f) => join(dir, f)).filter((f) => existsSync(f));
  } catch {
    return [];
  }
}

/**
 * Rasterises an SVG document to PNG with resvg (a maintained Rust renderer) and real fonts: the
 * system's (DejaVu Sans, which the SVGs name first, where installed) and KaTeX's bundled sans-serif
 * as the fallback. Null when @resvg/resvg-js is not installed.
 * @example
 * ```ts
 * const png = (await svgToPng(plotActivations('relu'), 2)) ?? encodePng(rasterizeScene(activationScene('relu')));
 * Array.from(png.slice(1, 4)) // [80, 78, 71]
 * ```
 */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array | null> {
  const m = await loadResvg();
  if (!m) return null;
  const r = new m.Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { fontFiles: bundledFonts(), loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'KaTeX_SansSerif' },
  });
  return new Uint8Array(r.render().asPng());
}
