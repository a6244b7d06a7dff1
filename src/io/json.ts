/**
 * JSON that keeps non-finite numbers (NaN, ±Infinity), which optimizer, scheduler and RNG states
 * can contain: they are written as {"$number": "Infinity"} and turned back into numbers on parse.
 */
export function stringifyState(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? { $number: String(v) } : v));
}

export function parseState(text: string): unknown {
  return JSON.parse(text, (_k, v) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v.$number === 'string') {
      return Number(v.$number);
    }
    return v;
  });
}
