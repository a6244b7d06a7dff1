/**
 * Formats seconds for humans.
 * @example fmtDuration(65) // '1m05s'
 */
export function fmtDuration(sec: number): string {
  if (!Number.isFinite(sec)) return '?';
  const s = Math.max(0, Math.round(sec));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal: epoch, a bar, the
 * running loss, the last dev macro-F1 and the estimated time left.
 * @example const bar = new ProgressBar('cnn', 10 * 68); bar.update(1, { loss: 0.4 }); bar.done();
 */
export class ProgressBar {
  private readonly start = Date.now();
  private last = 0;
  private readonly enabled: boolean;

  constructor(
    readonly label: string,
    readonly total: number,
    enabled = process.stderr.isTTY === true,
  ) {
    this.enabled = enabled;
  }

  update(done: number, info: { epoch?: string; loss?: number; devF1?: number | null }): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && done < this.total) return;
    this.last = now;
    const frac = Math.min(1, done / this.total);
    const width = 24;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    const el = (now - this.start) / 1000;
    const eta = frac > 0 ? (el * (1 - frac)) / frac : Number.NaN;
    const parts = [
      `${this.label}`,
      info.epoch ? `epoch ${info.epoch}` : '',
      `[${bar}] ${(frac * 100).toFixed(0).padStart(3)}%`,
      info.loss !== undefined ? `loss ${info.loss.toFixed(4)}` : '',
      info.devF1 !== undefined && info.devF1 !== null ? `dev F1 ${info.devF1.toFixed(4)}` : '',
      `ETA ${fmtDuration(eta)}`,
    ].filter(Boolean);
    process.stderr.write(`\r${parts.join('  ')}\x1b[K`);
  }

  done(): void {
    if (this.enabled) process.stderr.write('\r\x1b[K');
  }
}
