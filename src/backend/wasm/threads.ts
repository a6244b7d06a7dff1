// The wasm backend's thread pool: workers (Node worker_threads, or Web Workers where the page is
// cross-origin isolated) that run the row panels of a GEMM on a shared WebAssembly memory, while
// the calling thread runs its own share and then waits for theirs. The calling thread stays
// synchronous, like every kernel: the workers block in Atomics.wait between jobs, and a job is
// a generation counter bumped in a shared control block, not a message.
import { ChainruleError } from '../../errors.js';
import { GEMM_SHARED_RELAXED_WASM_BASE64, GEMM_SHARED_WASM_BASE64 } from './gemm-bytes.js';
import { type GemmExports, decodeBase64 } from './module.js';

/**
 * Control block (Int32Array over its own SharedArrayBuffer): [0] job generation, [1] workers done
 * with it, [2] opcode (0 GEMM rows, 1 stop), [3..9] the GEMM's a, b, c, mp, np, k, f64, [10] threads,
 * [11] 32-bit words of C per row panel that each thread zeroes in its own panels first (0: none).
 */
const CTL_INTS = 16;

/**
 * What each worker runs (plain JavaScript, the same text in Node and browsers): instantiate the
 * shared-memory GEMM on the memory it is sent, say ready, then per job run its share of the row
 * panels (thread `index` of T takes panels ⌊mp·index/T⌋ to ⌊mp·(index+1)/T⌋) and count itself done.
 */
const WORKER_SOURCE = `
function start(d, post) {
  const inst = new WebAssembly.Instance(d.module, { env: { memory: d.memory } });
  const c = new Int32Array(d.ctl);
  // the generation is read before saying ready: the first job may be posted the moment it is said
  let gen = Atomics.load(c, 0);
  post('ready');
  for (;;) {
    Atomics.wait(c, 0, gen);
    gen = Atomics.load(c, 0);
    if (c[2] === 1) return;
    const T = c[10], mp = c[6], z = c[11];
    const p0 = Math.floor((mp * d.index) / T), p1 = Math.floor((mp * (d.index + 1)) / T);
    if (z) new Int32Array(d.memory.buffer).fill(0, c[5] / 4 + p0 * z, c[5] / 4 + p1 * z);
    inst.exports.gemmRows(c[3], c[4], c[5], mp, c[7], c[8], c[9], p0, p1);
    Atomics.add(c, 1, 1);
    Atomics.notify(c, 1);
  }
}
if (typeof require === 'function') {
  const { parentPort } = require('node:worker_threads');
  parentPort.once('message', (d) => start(d, (m) => parentPort.postMessage(m)));
} else {
  self.onmessage = (e) => start(e.data, (m) => self.postMessage(m));
}
`;

interface AnyWorker {
  postMessage(m: unknown): void;
  terminate(): unknown;
}

/** The pool: its module's exports on the shared memory, and the GEMM split over every thread. */
export interface WasmThreadPool {
  readonly threads: number;
  readonly exports: GemmExports;
  /**
   * gemm.wat's gemm, the row panels shared among the threads, each first setting zeroWords 32-bit
   * words of each of its row panels of C to zero (none when 0); returns when all are done.
   */
  gemm(a: number, b: number, c: number, mp: number, np: number, k: number, f64: number, zeroWords: number): void;
}

let pool: (WasmThreadPool & { stop(): void }) | null = null;
let starting: Promise<number> | null = null;

/** The running pool (null: single-threaded). Only the wasm backend's products read this. */
export function wasmThreadPool(): WasmThreadPool | null {
  return pool;
}

type Spawn = (index: number, onReady: () => void, onError: (e: unknown) => void) => AnyWorker;

/** How to start a worker here, or why there are none. */
function spawner(): Spawn | string {
  const g = globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown; versions?: { node?: string } };
    Worker?: new (url: string) => AnyWorker & { onmessage: ((e: { data: unknown }) => void) | null; onerror: ((e: unknown) => void) | null };
    crossOriginIsolated?: boolean;
    Blob?: typeof Blob;
    URL?: typeof URL;
  };
  if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer is unavailable (a page must be cross-origin isolated)';
  if (g.process?.versions?.node) {
    const wt = g.process.getBuiltinModule?.('node:worker_threads') as
      | { Worker: new (src: string, o: { eval: true }) => AnyWorker & { unref(): void; once(ev: string, f: (v: unknown) => void): void } }
      | undefined;
    if (!wt) return 'this Node has no process.getBuiltinModule (Node 20.16 or later)';
    return (_index, onReady, onError) => {
      const w = new wt.Worker(WORKER_SOURCE, { eval: true });
      // referenced until it is ready (else Node may exit while startup is awaited), then not: an
      // idle pool never keeps a process alive
      w.once('message', () => {
        w.unref();
        onReady();
      });
      w.once('error', onError);
      return w;
    };
  }
  if (!g.Worker || !g.Blob || !g.URL) return 'this environment has no Web Workers';
  if (g.crossOriginIsolated !== true) return 'the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)';
  const url = g.URL.createObjectURL(new g.Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const W = g.Worker;
  return (_index, onReady, onError) => {
    const w = new W(url);
    w.onmessage = () => onReady();
    w.onerror = onError;
    return w;
  };
}

/** The shared-memory GEMM module: the relaxed-SIMD build where it validates, else the baseline one. */
function sharedModule(): WebAssembly.Module | null {
  for (const b64 of [GEMM_SHARED_RELAXED_WASM_BASE64, GEMM_SHARED_WASM_BASE64]) {
    const bytes = decodeBase64(b64);
    if (WebAssembly.validate(bytes)) return new WebAssembly.Module(bytes);
  }
  return null;
}

/** Blocks until ctl[1] reaches `want`: Atomics.wait where this thread may block, else a spin (a browser's main thread). */
function waitDone(ctl: Int32Array, want: number): void {
  for (let seen = Atomics.load(ctl, 1); seen < want; seen = Atomics.load(ctl, 1)) {
    if (canBlock) {
      try {
        Atomics.wait(ctl, 1, seen, 1000);
      } catch {
        canBlock = false;
      }
    }
  }
}
let canBlock = true;

async function startPool(threads: number): Promise<number> {
  const spawn = spawner();
  if (typeof spawn === 'string') return 1;
  const module = sharedModule();
  if (!module) return 1;
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 16384, shared: true });
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as GemmExports & {
    gemmRows(a: number, b: number, c: number, mp: number, np: number, k: number, f64: number, r0: number, r1: number): void;
  };
  const ctlBuffer = new SharedArrayBuffer(CTL_INTS * 4);
  const ctl = new Int32Array(ctlBuffer);
  const workers: AnyWorker[] = [];
  try {
    await Promise.all(
      Array.from(
        { length: threads - 1 },
        (_, i) =>
          new Promise<void>((resolve, reject) => {
            const w = spawn(i + 1, resolve, reject);
            workers.push(w);
            w.postMessage({ module, memory, ctl: ctlBuffer, index: i + 1 });
          }),
      ),
    );
  } catch {
    for (const w of workers) w.terminate();
    return 1;
  }
  const T = threads;
  pool = {
    threads: T,
    exports,
    gemm(a, b, c, mp, np, k, f64, zeroWords) {
      const words = (): Int32Array => new Int32Array(memory.buffer);
      if (mp < T) {
        if (zeroWords) words().fill(0, c / 4, c / 4 + mp * zeroWords);
        exports.gemm(a, b, c, mp, np, k, f64);
        return;
      }
      ctl[1] = 0;
      ctl[2] = 0;
      ctl[3] = a;
      ctl[4] = b;
      ctl[5] = c;
      ctl[6] = mp;
      ctl[7] = np;
      ctl[8] = k;
      ctl[9] = f64;
      ctl[10] = T;
      ctl[11] = zeroWords;
      Atomics.add(ctl, 0, 1);
      Atomics.notify(ctl, 0);
      const p1 = Math.floor(mp / T);
      if (zeroWords) words().fill(0, c / 4, c / 4 + p1 * zeroWords);
      exports.gemmRows(a, b, c, mp, np, k, f64, 0, p1);
      waitDone(ctl, T - 1);
    },
    stop() {
      ctl[2] = 1;
      Atomics.add(ctl, 0, 1);
      Atomics.notify(ctl, 0);
      for (const w of workers) w.terminate();
    },
  };
  return T;
}

/** Threads a machine offers: navigator.hardwareConcurrency, or Node's os.availableParallelism. */
function hardwareThreads(): number {
  const g = globalThis as { navigator?: { hardwareConcurrency?: number }; process?: { getBuiltinModule?: (id: string) => unknown } };
  const os = g.process?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
  return os?.availableParallelism?.() ?? g.navigator?.hardwareConcurrency ?? 1;
}

/**
 * Runs the wasm backend's large matrix products (matmul, the convolutions' and recurrences'
 * products) on `threads` threads: this one and `threads − 1` workers sharing the module's memory.
 * Resolves to the number of threads in use: 1 where threads cannot run (no SharedArrayBuffer, a
 * page that is not cross-origin isolated, no workers), and then every product stays on the
 * single-threaded path, which is also what `setWasmThreads(1)` returns to. Without an argument:
 * every hardware thread. Results are bit-identical to the single-threaded ones (each element of
 * a product is computed by the same kernel in the same order, whichever thread runs it).
 * @example
 * ```ts
 * // two threads in Node and in a cross-origin isolated page, else one
 * const n = await setWasmThreads(2);
 * [1, 2].includes(n) // true
 * await setWasmThreads(1) // 1
 * ```
 */
export async function setWasmThreads(threads?: number): Promise<number> {
  const want = threads ?? hardwareThreads();
  if (!Number.isInteger(want) || want < 1 || want > 64) {
    throw new ChainruleError(`setWasmThreads: threads must be an integer from 1 to 64, got ${threads}`);
  }
  if (starting) await starting;
  if (pool && pool.threads === want) return want;
  if (pool) {
    pool.stop();
    pool = null;
  }
  if (want === 1) return 1;
  starting = startPool(want);
  try {
    return await starting;
  } finally {
    starting = null;
  }
}

/**
 * The number of threads the wasm backend's products run on (1 until setWasmThreads starts a pool).
 * @example wasmThreads() // 1
 */
export function wasmThreads(): number {
  return pool?.threads ?? 1;
}
