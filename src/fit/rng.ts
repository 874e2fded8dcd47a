// Seeded pseudo-random numbers for the bootstrap and the synthetic-data generators: mulberry32 uniforms, Box–Muller normals.

/** A deterministic generator: the same seed gives the same sequence on every machine. */
export interface Rng {
  /** Uniform on [0, 1). */
  uniform(): number;
  /** Integer uniform on [0, n). */
  int(n: number): number;
  /** Standard normal N(0, 1). */
  normal(): number;
}

/** mulberry32 (32-bit state) — fast, good enough for resampling and test noise, not for cryptography. */
export function makeRng(seed: number): Rng {
  let state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  let spare: number | undefined;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform,
    int: (n: number) => Math.floor(uniform() * n),
    normal: () => {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      // Box–Muller: two uniforms → two independent normals.
      let u = uniform();
      while (u <= 0) u = uniform();
      const v = uniform();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}
