// Scalar special functions that JavaScript's Math lacks, used by the op table's reference kernels.

/** Abramowitz–Stegun 7.1.26 is too coarse for float64 gradchecks; this is W. J. Cody's rational erf. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.46875) {
    const t = x * x;
    const num = (((0.1857777061846031526730 * t + 3.161123743870565596947) * t + 113.8641541510501556495) * t + 377.4852376853020208137) * t + 3209.377589138469472562;
    const den = (((t + 23.60129095234412093499) * t + 244.0246379344441733056) * t + 1282.616526077372275645) * t + 2844.236833439170622273;
    return (x * num) / den;
  }
  return x < 0 ? -1 + erfcPos(ax) : 1 - erfcPos(ax);
}

function erfcPos(x: number): number {
  if (x === Number.POSITIVE_INFINITY) return 0; // the split below would compute 0 * exp(NaN)
  let r: number;
  if (x < 4) {
    const num =
      ((((((((2.15311535474403846e-8 * x + 0.564188496988670089) * x + 8.88314979438837594) * x + 66.1191906371416295) * x + 298.635138197400131) * x + 881.95222124176909) * x + 1712.04761263407058) * x + 2051.07837782607147) * x + 1230.33935479799725);
    const den =
      (((((((x + 15.7449261107098347) * x + 117.693950891312499) * x + 537.181101862009858) * x + 1621.38957456669019) * x + 3290.79923573345963) * x + 4362.61909014324716) * x + 3439.36767414372164) * x + 1230.33935480374942;
    r = num / den;
  } else {
    const z = 1 / (x * x);
    const num = ((((0.01631538713730704 * z + 0.3053266349612323) * z + 0.3603448999498044) * z + 0.1257817261112292) * z + 0.01608378514874228) * z + 0.0006587491615298378;
    const den = ((((z + 2.568520192289822) * z + 1.872952849923460) * z + 0.5279051029514284) * z + 0.06051834131244132) * z + 0.002335204976268692;
    r = (1 / Math.sqrt(Math.PI) - (z * num) / den) / x;
  }
  // exp(-x^2) split as exp(-xs^2) * exp(-(x-xs)(x+xs)) keeps full precision for large x
  const xs = Math.trunc(x * 16) / 16;
  return Math.exp(-xs * xs) * Math.exp(-(x - xs) * (x + xs)) * r;
}
