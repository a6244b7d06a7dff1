import { GEMM_RELAXED_WASM_BASE64, GEMM_WASM_BASE64 } from './gemm-bytes.js';

/** The exports of gemm.wat. */
export interface GemmExports {
  memory: WebAssembly.Memory;
  /** C += A·B over packed operands at byte addresses a, b, c (see gemm.wat); f64 = 1 for float64. */
  gemm(a: number, b: number, c: number, mp: number, np: number, k: number, f64: number): void;
  /** Packs a staged operand whose panel values lie side by side (wb = panel width in bytes). */
  packPanels(src: number, ld: number, dst: number, panels: number, k: number, wb: number): void;
  /** Packs a staged float32 operand stored along the depth, w = 4 or 8 rows a panel. */
  packDepth32(src: number, ld: number, dst: number, panels: number, k: number, w: number): void;
  /** Packs through offset tables: lane l of panel j at depth q is at src + (lanes[j·w + l] + depth[q])·es (lanes past nl: zero). */
  packTable(src: number, lanes: number, depth: number, dst: number, panels: number, nl: number, k: number, w: number, f64: number): void;
  /** Packs a staged float64 operand stored along the depth, 4 rows a panel. */
  packDepth64(src: number, ld: number, dst: number, panels: number, k: number): void;
  /** o = x op y (0 add, 1 sub, 2 mul, 3 div) with y a row of p values repeated along x; n values. */
  binary32(op: number, x: number, y: number, o: number, n: number, p: number): void;
  binary64(op: number, x: number, y: number, o: number, n: number, p: number): void;
  /** o = max(x, 0) with NaN and -0 giving +0; n values, f64 = 1 for float64. */
  relu(x: number, o: number, n: number, f64: number): void;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes standard base64 (no atob: bare browser-like contexts such as workers may lack it). */
export function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const digits = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) digits[ALPHABET.charCodeAt(i)] = i;
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const d = digits[clean.charCodeAt(i)];
    if (d === undefined || d < 0) throw new Error(`base64: bad character at ${i}`);
    acc = (acc << 6) | d;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** The two builds of gemm.wat: baseline SIMD128 (mul + add), or relaxed SIMD (relaxed_madd). */
export type GemmVariant = 'simd128' | 'relaxed-simd';

/**
 * Compiles and instantiates a build of the GEMM module synchronously (each is under the 4 KB that
 * browsers allow on the main thread), or returns null where the engine lacks what it needs. Without
 * a variant: the relaxed-SIMD build where it validates (Chrome 114+, Node 22+), else the baseline
 * one, else null (no WebAssembly, or no SIMD: the module itself is the probe, since validation
 * fails on engines without v128).
 */
export function loadGemm(variant?: GemmVariant): { exports: GemmExports; variant: GemmVariant } | null {
  const W = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
  if (W === undefined || typeof W.validate !== 'function') return null;
  const order: GemmVariant[] = variant ? [variant] : ['relaxed-simd', 'simd128'];
  for (const v of order) {
    const bytes = decodeBase64(v === 'relaxed-simd' ? GEMM_RELAXED_WASM_BASE64 : GEMM_WASM_BASE64);
    try {
      if (!W.validate(bytes)) continue;
      const instance = new W.Instance(new W.Module(bytes), {});
      return { exports: instance.exports as unknown as GemmExports, variant: v };
    } catch {
      // e.g. a content security policy without 'wasm-unsafe-eval' forbids compiling (then every
      // build fails and there is no wasm backend)
    }
  }
  return null;
}
