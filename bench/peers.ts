/**
 * Peer processes: each library/backend runs in its own process, so one peer's heap, threads and
 * JIT state never disturb another's, and the orchestrator can interleave them repetition by
 * repetition. Each speaks the line protocol of bench/protocol.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Command, REPLY_PREFIX, type Reply } from './protocol.js';

/** The default peers, always present (maybe null) in the JSON output. */
export const PEER_NAMES = ['chainrule_native', 'chainrule_js', 'chainrule_wasm', 'pytorch', 'tfjs_wasm', 'tfjs_cpu'] as const;
/**
 * Every peer --peers accepts: pytorch_1t is PyTorch on one thread, a reference for busy machines,
 * where two OpenMP threads stall on each other whenever the other core is taken.
 */
export const ALL_PEERS = [...PEER_NAMES, 'pytorch_1t'] as const;
export type PeerName = (typeof ALL_PEERS)[number];

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);

/**
 * Debian's python3-torch lives under the system interpreter, not the first python3 on PATH;
 * CHAINRULE_BENCH_PYTHON points elsewhere (a virtualenv with torch, say).
 */
export const SYSTEM_PYTHON = process.env.CHAINRULE_BENCH_PYTHON || '/usr/bin/python3';

export const TORCH_INSTALL_HINT =
  'PyTorch peer absent: install Debian\'s package with `apt-get install python3-torch` (it runs under /usr/bin/python3); ' +
  'for its real speed also `apt-get install libopenblas0-pthread` (without it torch uses the reference BLAS)';

interface PeerCommandLine {
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

function nodePeer(lib: string, backend: string, extraEnv: NodeJS.ProcessEnv = {}): PeerCommandLine {
  return {
    cmd: process.execPath,
    args: ['--conditions=source', '--import', 'tsx', join(here, 'peer.ts'), lib, backend],
    env: { ...process.env, ...extraEnv },
  };
}

function commandLine(name: PeerName): PeerCommandLine | string {
  switch (name) {
    case 'chainrule_native':
      return nodePeer('chainrule', 'native', { CHAINRULE_BACKEND: 'native' });
    case 'chainrule_js':
      return nodePeer('chainrule', 'js', { CHAINRULE_BACKEND: 'js' });
    case 'chainrule_wasm':
      return nodePeer('chainrule', 'wasm', { CHAINRULE_BACKEND: 'wasm' });
    case 'tfjs_wasm':
      return nodePeer('tfjs', 'wasm');
    case 'tfjs_cpu':
      return nodePeer('tfjs', 'cpu');
    case 'pytorch':
    case 'pytorch_1t': {
      if (!existsSync(SYSTEM_PYTHON)) return TORCH_INSTALL_HINT;
      const env = { ...process.env };
      // the machine may pin OpenBLAS to an older core type, which halves its speed
      delete env.OPENBLAS_CORETYPE;
      delete env.OPENBLAS_L2_SIZE;
      const threads = name === 'pytorch_1t' ? ['--threads', '1'] : [];
      return { cmd: SYSTEM_PYTHON, args: [join(here, 'torch_bench.py'), '--serve', ...threads], env };
    }
  }
}

/** One running peer process with a queue of one outstanding command. */
export class Peer {
  private child: ChildProcess | null = null;
  private pending: ((r: Reply) => void) | null = null;
  private exited = false;
  /** set once the peer was told to quit or killed: it takes no more commands */
  private stopped = false;
  /** Non-protocol output (banners, warnings), kept for --verbose. */
  readonly log: string[] = [];

  constructor(readonly name: PeerName) {}

  /** Starts the process and says hello; returns the peer's self-description or an error. */
  async start(timeoutMs: number): Promise<Reply> {
    const cl = commandLine(this.name);
    if (typeof cl === 'string') return { ok: false, error: cl };
    const child = spawn(cl.cmd, cl.args, { cwd: root, env: cl.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    const onLine = (line: string) => {
      if (line.startsWith(REPLY_PREFIX)) {
        const r = JSON.parse(line.slice(REPLY_PREFIX.length)) as Reply;
        const p = this.pending;
        this.pending = null;
        p?.(r);
      } else if (line.trim()) {
        this.log.push(line);
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', (l) => {
      if (l.trim()) this.log.push(l);
    });
    child.on('error', (e) => this.fail(`could not start: ${e.message}`));
    child.on('exit', (code, signal) => {
      this.exited = true;
      this.fail(`exited (${signal ?? `code ${code}`})${this.log.length ? `: ${this.log.slice(-3).join(' | ')}` : ''}`);
    });
    return this.send({ cmd: 'hello' }, timeoutMs);
  }

  /** The process id while the peer runs (null before start and after exit). */
  get pid(): number | null {
    return this.alive ? (this.child!.pid ?? null) : null;
  }

  get alive(): boolean {
    return this.child !== null && !this.exited && !this.stopped;
  }

  private fail(error: string): void {
    const p = this.pending;
    this.pending = null;
    p?.({ ok: false, error });
  }

  /** Sends one command and waits for its reply (or the timeout, which kills the peer). */
  send(c: Command, timeoutMs: number): Promise<Reply> {
    if (!this.alive) return Promise.resolve({ ok: false, error: 'peer is not running' });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.fail(`no answer within ${Math.round(timeoutMs / 1000)} s`);
        this.kill();
      }, timeoutMs);
      this.pending = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      this.child!.stdin!.write(`${JSON.stringify(c)}\n`);
    });
  }

  /** Ends a hung peer at once (its late answer must not be taken for the next command's). */
  kill(): void {
    this.stopped = true;
    if (this.child && !this.exited) this.child.kill('SIGKILL');
  }

  stop(): void {
    if (!this.child || this.exited || this.stopped) return;
    this.stopped = true;
    try {
      this.child.stdin!.write(`${JSON.stringify({ cmd: 'quit' })}\n`);
    } catch {
      // the pipe is already closed
    }
    const child = this.child;
    setTimeout(() => {
      if (!this.exited) child.kill('SIGKILL');
    }, 2000).unref();
  }
}
