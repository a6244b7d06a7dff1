import type { EpochLog } from './types.js';

/** Where progress goes: process.stdout, or anything with write (tests pass a recorder). */
export interface OutputStream {
  /** Writes text as is (no newline added), like `process.stdout.write`. */
  write(text: string): unknown;
  /** true for a terminal: progress then redraws one line in place (default false: one line per epoch) */
  isTTY?: boolean;
  /** the terminal's width in characters, to fit the progress bar (default 80) */
  columns?: number;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(3);
  return v.toFixed(4);
}

function fmtTime(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${Math.round(s - 60 * m)}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}

/** The one-line summary of an epoch: `Epoch 3/10  loss 0.4312  valLoss 0.4501  lr 0.0100  1.2s`. */
export function formatEpoch(log: EpochLog, epochs: number): string {
  const parts = [`Epoch ${log.epoch + 1}/${epochs}`];
  for (const [k, v] of Object.entries(log)) {
    if (k === 'epoch' || k === 'seconds') continue;
    parts.push(`${k} ${fmt(v)}`);
  }
  parts.push(fmtTime(log.seconds));
  return parts.join('  ');
}

/**
 * Prints training progress: on a TTY a live bar per epoch (batches done, running loss and
 * metrics, ETA) rewritten in place, then one summary line per epoch; elsewhere (pipes, CI logs)
 * only the summary lines.
 */
export class ProgressReporter {
  private lastDraw = 0;
  private epochStart = 0;

  constructor(
    private readonly out: OutputStream,
    private readonly epochs: number,
    private readonly tty: boolean = out.isTTY === true,
  ) {}

  epochBegin(): void {
    this.epochStart = Date.now();
    this.lastDraw = 0;
  }

  /**
   * Redraws the bar (at most every 100 ms) after `done` of `total` batches (total null when
   * unknown). `running` gives the metrics over the batches so far; it is only called to draw.
   */
  batch(epoch: number, done: number, total: number | null, loss: number, running?: () => Record<string, number>): void {
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && done !== total) return;
    this.lastDraw = now;
    const elapsed = (now - this.epochStart) / 1000;
    const head = `Epoch ${epoch + 1}/${this.epochs}`;
    const metrics = Object.entries(running ? running() : {})
      .map(([k, v]) => `  ${k} ${fmt(v)}`)
      .join('');
    const tail = `loss ${fmt(loss)}${metrics}${total ? `  ETA ${fmtTime((elapsed / done) * (total - done))}` : `  ${fmtTime(elapsed)}`}`;
    const count = total ? `${done}/${total}` : `${done}`;
    // a pseudo-terminal may report 0 columns: fall back to 80
    const cols = this.out.columns && this.out.columns >= 20 ? this.out.columns : 80;
    const width = Math.max(10, Math.min(30, cols - head.length - tail.length - count.length - 8));
    const filled = total ? Math.round((width * done) / total) : 0;
    const bar = total ? `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? (done === total ? '=' : '>') : ''}${' '.repeat(width - filled)}]` : '';
    const line = `${head} ${bar} ${count}  ${tail}`;
    // never wider than the terminal: a wrapped line cannot be redrawn in place
    this.out.write(`\r\x1b[2K${line.length >= cols ? line.slice(0, cols - 1) : line}`);
  }

  epochEnd(log: EpochLog): void {
    this.out.write(`${this.tty ? '\r\x1b[2K' : ''}${formatEpoch(log, this.epochs)}\n`);
  }

  message(text: string): void {
    this.out.write(`${text}\n`);
  }
}
