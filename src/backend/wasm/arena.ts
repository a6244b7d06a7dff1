/** Largest linear memory the kernels grow to (bytes); bigger work runs on the TypeScript kernels. */
const MAX_BYTES = 1 << 30;

/**
 * Float views of the module's linear memory, renewed when it grows. Every kernel call lays out its
 * operands from address 0 and finishes before the next call, so several arenas may share a memory.
 */
export class Arena {
  f32: Float32Array;
  f64: Float64Array;

  constructor(private readonly memory: WebAssembly.Memory) {
    this.f32 = new Float32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
  }

  /** Grows the memory to at least `bytes` (never shrinks it); false when the engine refuses. */
  reserve(bytes: number): boolean {
    if (bytes > MAX_BYTES) return false;
    const have = this.memory.buffer.byteLength;
    if (bytes > have) {
      try {
        this.memory.grow(Math.ceil((bytes - have) / 65536));
      } catch {
        return false;
      }
    }
    if (this.f32.buffer !== this.memory.buffer) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.f64 = new Float64Array(this.memory.buffer);
    }
    return true;
  }
}
