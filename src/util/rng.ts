// The one seeded PRNG of the toolkit: mulberry32 (whole state one uint32, so a stream can be checkpointed and resumed exactly),
// with uniforms, integers and Box–Muller normals. Two documented seedings, both kept bit for bit because committed results use them.

/** A deterministic generator: the same seed gives the same sequence on every machine. Not for cryptography. */
export class Rng {
  /** The full generator state (a uint32); save it to resume the exact same uniform sequence. */
  state: number;
  private spare: number | undefined;

  private constructor(state: number) {
    this.state = state >>> 0;
  }

  /** Seeding for model init, the bootstrap and synthetic data: state = seed XOR the golden-ratio constant. */
  static fromSeed(seed: number): Rng {
    return new Rng((Math.floor(seed) ^ 0x9e3779b9) >>> 0);
  }

  /** Seeding for batch sampling streams: the seed mixed through one splitmix-style round, so nearby seeds give unrelated streams. */
  static mixed(seed: number): Rng {
    let z = (seed >>> 0) ^ 0x9e3779b9;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return new Rng((z ^ (z >>> 16)) >>> 0);
  }

  /** Uniform on [0, 1) (one mulberry32 step). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer uniform on [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal N(0, 1): Box–Muller, two uniforms → two independent normals (the second is kept for the next call). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = this.uniform();
    while (u <= 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** Rng.fromSeed(seed), as a function (the fitter's and the model init's seeding). */
export function makeRng(seed: number): Rng {
  return Rng.fromSeed(seed);
}
