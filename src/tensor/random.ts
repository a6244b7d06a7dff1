import { ChainruleError } from '../errors.js';

/**
 * A seedable generator (xoshiro128**), the single source of randomness for creation functions,
 * initialisers, dropout and shuffling. Being TypeScript, it gives the same numbers on every backend.
 * Pass one as `generator` to draw from it instead of the global one (torch.Generator).
 * @example
 * const g = new Generator(7);
 * const first = g.random();
 * new Generator(7).random() === first; // true
 * randn([3], { generator: new Generator(1) }).shape; // [3]
 */
export class Generator {
  private s = new Uint32Array(4);
  private spare: number | null = null;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /**
   * Re-seeds this generator (any finite number) and returns it.
   * @example new Generator(1).manualSeed(5).int(0, 100) === new Generator(5).int(0, 100) // true
   */
  manualSeed(seed: number): this {
    if (!Number.isFinite(seed)) throw new ChainruleError(`manualSeed: seed must be a finite number, got ${seed}`);
    // splitmix32 spreads any seed over the four state words
    let x = (Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32)) >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
    this.spare = null;
    return this;
  }

  /**
   * A uniformly random 32-bit unsigned integer.
   * @example new Generator(0).nextU32() < 2 ** 32 // true
   */
  nextU32(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  }

  /**
   * Uniform in [0, 1) with 53 random bits.
   * @example new Generator(0).random() < 1 // true
   */
  random(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * A standard normal draw (Box–Muller, using both outputs).
   * @example typeof new Generator(0).normal() // 'number'
   */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * A uniform integer in [low, high).
   * @example new Generator(0).int(3, 4) // 3
   */
  int(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low));
  }

  /**
   * A Fisher–Yates permutation of 0..n-1 (torch.randperm's values).
   * @example [...new Generator(0).permutation(4)].sort() // [0, 1, 2, 3]
   */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /**
   * The generator's state as 5 numbers, to restore with setState (checkpoints store it).
   * @example new Generator(0).getState().length // 5
   */
  getState(): number[] {
    return [...this.s, this.spare === null ? Number.NaN : this.spare];
  }

  /**
   * Restores a state getState returned: the draws that follow repeat.
   * @example
   * const g = new Generator(3);
   * const s = g.getState();
   * const a = g.random();
   * g.setState(s);
   * g.random() === a; // true
   */
  setState(state: readonly number[]): void {
    if (!Array.isArray(state) || state.length !== 5) throw new ChainruleError('Generator.setState: expected the 5 numbers getState returned');
    for (let i = 0; i < 4; i++) this.s[i] = state[i] >>> 0;
    this.spare = Number.isNaN(state[4]) ? null : state[4];
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * The global generator: the one creation functions, initialisers, dropout and shuffling draw from
 * when no generator is passed (torch.default_generator); manualSeed seeds it.
 * @example
 * manualSeed(4);
 * const a = defaultGenerator.random();
 * defaultGenerator.manualSeed(4);
 * defaultGenerator.random() === a; // true
 */
export const defaultGenerator = new Generator(0);

/**
 * Seeds the default generator: same seed, same numbers, on every backend.
 * (torch.manual_seed).
 * @example
 * manualSeed(42);
 * const a = randn([3]);
 * manualSeed(42);
 * randn([3]).sub(a).abs().max().item(); // 0
 */
export function manualSeed(seed: number): void {
  defaultGenerator.manualSeed(seed);
}

/**
 * The global generator's state (torch.get_rng_state), to restore with setRngState.
 * @example
 * const state = getRngState();
 * const a = rand([2]);
 * setRngState(state);
 * rand([2]).sub(a).abs().max().item() // 0
 */
export function getRngState(): number[] {
  return defaultGenerator.getState();
}

/**
 * Restores the global generator's state from getRngState (torch.set_rng_state).
 * @example
 * setRngState(getRngState());
 * getRngState().length // 5
 */
export function setRngState(state: readonly number[]): void {
  defaultGenerator.setState(state);
}
