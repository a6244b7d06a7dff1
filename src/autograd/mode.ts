let gradEnabled = true;
let anomaly = false;

/**
 * Whether ops are being recorded for autograd: true, except inside noGrad (torch.is_grad_enabled).
 * @example isGradEnabled() // true
 * @example noGrad(() => isGradEnabled()) // false
 */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` with gradient recording on or off, restoring the previous mode afterwards. */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Runs `fn` without recording operations for autograd (for evaluation and parameter updates).
 * @example
 * const w = tensor([1, 2], { requiresGrad: true });
 * const y = noGrad(() => w.mul(3));
 * y.requiresGrad; // false
 * y; // [3, 6]
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/**
 * Runs `fn` with recording turned back on inside a noGrad region (torch.enable_grad).
 * @example
 * const w = tensor([1], { requiresGrad: true });
 * noGrad(() => enableGrad(() => w.mul(2))).requiresGrad // true
 */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

export function isAnomalyEnabled(): boolean {
  return anomaly;
}

/**
 * Turns anomaly detection on or off globally (torch.autograd.set_detect_anomaly; see
 * detectAnomaly for a scoped form). Off by default: it checks every op's output.
 * @example
 * setDetectAnomaly(true);
 * let failed = false;
 * try {
 *   tensor([-1]).sqrt();
 * } catch {
 *   failed = true; // sqrt turned a finite input into NaN
 * }
 * setDetectAnomaly(false);
 * failed; // true
 */
export function setDetectAnomaly(on: boolean): void {
  anomaly = on;
}

/**
 * Runs `fn` with anomaly detection: the first op whose forward or backward turns finite inputs
 * into NaN or Infinity throws a ChainruleError that names it.
 * @example
 * let message = '';
 * try {
 *   detectAnomaly(() => tensor([0]).log());
 * } catch (e) {
 *   message = (e as Error).message;
 * }
 * message; // 'detectAnomaly: log produced -Infinity in its forward pass from finite inputs (shapes [1])'
 * detectAnomaly(() => tensor([1]).log().item()); // 0
 */
export function detectAnomaly<T>(fn: () => T): T {
  const prev = anomaly;
  anomaly = true;
  try {
    return fn();
  } finally {
    anomaly = prev;
  }
}
