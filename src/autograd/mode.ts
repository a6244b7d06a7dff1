let gradEnabled = true;
let anomaly = false;

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
 * @example const model = new nn.Linear(3, 1); const y = noGrad(() => model.forward(randn([2, 3]))); y.requiresGrad // false
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with recording turned back on inside a noGrad region. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

export function isAnomalyEnabled(): boolean {
  return anomaly;
}

/** Turns anomaly detection on or off globally (see detectAnomaly for a scoped form). */
export function setDetectAnomaly(on: boolean): void {
  anomaly = on;
}

/**
 * Runs `fn` with anomaly detection: the first op whose forward or backward turns finite inputs
 * into NaN or Infinity throws a ChainruleError that names it.
 * @example
 * ```ts
 * try {
 *   detectAnomaly(() => tensor([0], { requiresGrad: true }).log().sum().backward());
 * } catch (e) {
 *   (e as Error).message.startsWith('detectAnomaly: log produced -Infinity') // true
 * }
 * ```
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
