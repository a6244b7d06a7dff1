import type { Scene, Shape } from './plot-scene.js';

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** Escapes text for XML character data and attribute values. */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const n = (v: number) => String(Math.round(v * 100) / 100);

/** Each unbroken run of a polyline (NaN points separate runs). */
export function runs(points: readonly [number, number][]): [number, number][][] {
  const out: [number, number][][] = [];
  let cur: [number, number][] = [];
  for (const p of points) {
    if (Number.isFinite(p[0]) && Number.isFinite(p[1])) cur.push(p);
    else if (cur.length) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

function shapeSvg(s: Shape): string {
  if (s.kind === 'rect') {
    const attrs = [`x="${n(s.x)}"`, `y="${n(s.y)}"`, `width="${n(s.w)}"`, `height="${n(s.h)}"`];
    if (s.r) attrs.push(`rx="${n(s.r)}"`);
    attrs.push(`fill="${s.fill ?? 'none'}"`);
    if (s.stroke) attrs.push(`stroke="${s.stroke}"`, `stroke-width="${n(s.strokeWidth ?? 1)}"`);
    return `<rect ${attrs.join(' ')}/>`;
  }
  if (s.kind === 'circle') return `<circle cx="${n(s.cx)}" cy="${n(s.cy)}" r="${n(s.r)}" fill="${s.fill}" stroke="${s.stroke}" stroke-width="${n(s.strokeWidth)}"/>`;
  if (s.kind === 'text') {
    const anchor = s.anchor === 'start' ? '' : ` text-anchor="${s.anchor}"`;
    const weight = s.bold ? ' font-weight="bold"' : '';
    return `<text x="${n(s.x)}" y="${n(s.y)}" font-size="${n(s.size)}" fill="${s.color}"${anchor}${weight}>${xmlEscape(s.text)}</text>`;
  }
  const dash = s.dash ? ` stroke-dasharray="${s.dash.map(n).join(' ')}"` : '';
  return runs(s.points)
    .filter((r) => r.length > 1)
    .map(
      (r) =>
        `<polyline points="${r.map(([x, y]) => `${n(x)},${n(y)}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="${n(s.width)}" stroke-linejoin="round" stroke-linecap="round"${dash}/>`,
    )
    .join('\n');
}

/**
 * Serializes a scene as a standalone SVG document.
 * @example sceneToSvg({ width: 10, height: 10, background: '#fff', shapes: [] }).includes('width="10" height="10"') // true
 */
export function sceneToSvg(scene: Scene, title?: string): string {
  const body = scene.shapes.map(shapeSvg).filter((s) => s !== '');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${scene.width}" height="${scene.height}" viewBox="0 0 ${scene.width} ${scene.height}" font-family="${FONT}">`,
    title ? `<title>${xmlEscape(title)}</title>` : '',
    `<rect width="100%" height="100%" fill="${scene.background}"/>`,
    ...body,
    '</svg>',
    '',
  ]
    .filter((l, i) => l !== '' || i > 0)
    .join('\n');
}
