import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { rasterizeScene } from '../src/explain/plot/plot-raster.js';
import type { Scene } from '../src/explain/plot/plot-scene.js';
import { activationScene } from '../src/explain/plot/plot.js';
import { crc32, encodePng } from '../src/explain/plot/png.js';

/** A minimal PNG reader written for this test: chunks, CRCs, IHDR, inflate and unfiltering (RGBA8 only). */
function decodePng(png: Uint8Array): { width: number; height: number; data: Uint8Array; chunks: string[] } {
  assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'PNG signature');
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: string[] = [];
  const idat: Uint8Array[] = [];
  let width = 0;
  let height = 0;
  let o = 8;
  while (o < png.length) {
    const len = dv.getUint32(o);
    const type = new TextDecoder().decode(png.subarray(o + 4, o + 8));
    const body = png.subarray(o + 8, o + 8 + len);
    const crc = dv.getUint32(o + 8 + len);
    // node's own zlib.crc32 checks ours independently
    assert.equal(crc, zlib.crc32(png.subarray(o + 4, o + 8 + len)), `CRC of ${type}`);
    chunks.push(type);
    if (type === 'IHDR') {
      width = dv.getUint32(o + 8);
      height = dv.getUint32(o + 12);
      assert.deepEqual([...body.subarray(8)], [8, 6, 0, 0, 0], 'RGBA8, deflate, adaptive filters, no interlace');
    } else if (type === 'IDAT') idat.push(body);
    o += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  assert.equal(raw.length, height * (stride + 1), 'inflated size');
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const v = raw[y * (stride + 1) + 1 + i];
      const a = i >= 4 ? data[y * stride + i - 4] : 0;
      const b = y > 0 ? data[(y - 1) * stride + i] : 0;
      const c = i >= 4 && y > 0 ? data[(y - 1) * stride + i - 4] : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else assert.equal(f, 0, 'filter type');
      data[y * stride + i] = (v + pred) & 0xff;
    }
  }
  return { width, height, data, chunks };
}

const px = (r: { width: number; data: Uint8Array | Uint8ClampedArray }, x: number, y: number) => [...r.data.subarray((y * r.width + x) * 4, (y * r.width + x) * 4 + 4)];

describe('crc32', () => {
  it('matches zlib.crc32 and the IEND constant', () => {
    assert.equal(crc32(new TextEncoder().encode('IEND')), 0xae426082);
    const bytes = new Uint8Array(1000).map((_, i) => (i * 31 + 7) & 0xff);
    assert.equal(crc32(bytes), zlib.crc32(bytes));
    assert.equal(crc32(bytes.subarray(0, 10), bytes.subarray(10)), zlib.crc32(bytes));
  });
});

describe('rasterizer', () => {
  const scene: Scene = {
    width: 20,
    height: 10,
    background: '#ffffff',
    shapes: [
      { kind: 'rect', x: 2, y: 2, w: 4, h: 4, fill: '#ff0000' },
      { kind: 'rect', x: 10.5, y: 2, w: 2, h: 2, fill: '#0000ff' },
      { kind: 'line', points: [[8, 8.5], [18, 8.5]], color: '#000000', width: 1 },
    ],
  };
  const r = rasterizeScene(scene, 1);

  it('fills covered pixels exactly, leaves the rest, antialiases half-covered ones', () => {
    assert.equal(r.width, 20);
    assert.equal(r.height, 10);
    assert.deepEqual(px(r, 3, 3), [255, 0, 0, 255]);
    assert.deepEqual(px(r, 1, 3), [255, 255, 255, 255]);
    assert.deepEqual(px(r, 6, 3), [255, 255, 255, 255]);
    // the blue square starts half way into pixel 10: half coverage there, full at 11
    assert.deepEqual(px(r, 10, 2), [128, 128, 255, 255]);
    assert.deepEqual(px(r, 11, 2), [0, 0, 255, 255]);
    // a 1px line centred on pixel row 8: fully black there, untouched above and below
    assert.deepEqual(px(r, 12, 8), [0, 0, 0, 255]);
    assert.deepEqual(px(r, 12, 7), [255, 255, 255, 255]);
    assert.deepEqual(px(r, 12, 9), [255, 255, 255, 255]);
  });

  it('draws dashes with gaps', () => {
    const dashed = rasterizeScene(
      { width: 30, height: 4, background: '#ffffff', shapes: [{ kind: 'line', points: [[0, 2], [30, 2]], color: '#000000', width: 2, dash: [4, 4] }] },
      1,
    );
    assert.deepEqual(px(dashed, 1, 1), [0, 0, 0, 255]);
    assert.deepEqual(px(dashed, 5, 1), [255, 255, 255, 255]);
    assert.deepEqual(px(dashed, 9, 1), [0, 0, 0, 255]);
  });
});

describe('encodePng', () => {
  it('round-trips a small raster exactly through an independent decoder', () => {
    const r = rasterizeScene(
      { width: 20, height: 10, background: '#f9fafb', shapes: [{ kind: 'line', points: [[0, 0], [20, 10]], color: '#2563eb', width: 2 }] },
      1,
    );
    const dec = decodePng(encodePng(r));
    assert.deepEqual(dec.chunks, ['IHDR', 'IDAT', 'IEND']);
    assert.equal(dec.width, 20);
    assert.equal(dec.height, 10);
    assert.deepEqual(dec.data, new Uint8Array(r.data));
  });

  it('the activation plot decodes to the raster it was made from, with the curve colours in it', () => {
    const r = rasterizeScene(activationScene('relu,gelu', { title: 'relu and gelu' }), 1);
    const dec = decodePng(encodePng(r));
    assert.equal(dec.width, 960);
    assert.equal(dec.height, r.height);
    assert.deepEqual(dec.data, new Uint8Array(r.data));
    assert.deepEqual(px(dec, 0, 0), [0xf9, 0xfa, 0xfb, 255]);
    let blue = 0;
    let orange = 0;
    for (let i = 0; i < dec.data.length; i += 4) {
      if (dec.data[i] === 0x25 && dec.data[i + 1] === 0x63 && dec.data[i + 2] === 0xeb) blue++;
      if (dec.data[i] === 0xea && dec.data[i + 1] === 0x58 && dec.data[i + 2] === 0x0c) orange++;
    }
    assert.ok(blue > 500, `f curves drawn (${blue} px)`);
    assert.ok(orange > 300, `derivative curves drawn (${orange} px)`);
  });
});

describe('PNG through resvg (the optional @resvg/resvg-js, a dev dependency here)', () => {
  it('rasterises the SVG itself with a real font: same size, and its text differs from the bitmap font', async () => {
    const { svgToPng, loadResvg } = await import('../src/explain/plot/png.js');
    const { activationScene } = await import('../src/explain/plot/plot.js');
    const { sceneToSvg } = await import('../src/explain/plot/plot-svg.js');
    if (!(await loadResvg())) return;
    const scene = activationScene('relu', { derivatives: false });
    const png = await svgToPng(sceneToSvg(scene), 1);
    assert.ok(png);
    const buf = Buffer.from(png as Uint8Array);
    assert.deepEqual([...buf.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
    assert.equal(buf.readUInt32BE(16), scene.width);
    assert.equal(buf.readUInt32BE(20), scene.height);
    assert.notDeepEqual(buf, Buffer.from(encodePng(rasterizeScene(scene, 1))));
  });
});
