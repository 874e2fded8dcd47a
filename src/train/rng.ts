// A small seeded PRNG (mulberry32) whose whole state is one uint32, so batch sampling can be checkpointed and resumed exactly.

export class Rng {
  /** The full generator state (a uint32); save it to resume the exact same sequence. */
  state: number;

  constructor(seed: number) {
    // Mix the seed through one splitmix-style round so nearby seeds give unrelated streams.
    let z = (seed >>> 0) ^ 0x9e3779b9;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    this.state = (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
