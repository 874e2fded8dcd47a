// Seeded PRNG (src/util/rng.ts): determinism, the first two moments of its uniforms and normals, and both seedings' exact streams.
import { describe, expect, it } from 'vitest';
import { makeRng, Rng } from '../src/util/rng.ts';

describe('makeRng', () => {
  it('keeps the exact streams the committed results were made with (model init / bootstrap seeding, batch seeding)', () => {
    // Values of the two generators before they were merged into one module (src/fit/rng.ts, src/train/rng.ts at a929180).
    const a = makeRng(1);
    expect([a.uniform(), a.normal(), a.normal(), a.int(1000)]).toEqual([0.18967728852294385, 0.31246553921571174, -1.4815900750543949, 534]);
    const b = Rng.mixed(7);
    expect([b.uniform(), b.int(1000), b.state]).toEqual([0.47330482909455895, 556, 846996907]);
  });

  it('repeats its sequence for a seed and differs between seeds', () => {
    const a = makeRng(42);
    const b = makeRng(42);
    const c = makeRng(43);
    const sa = Array.from({ length: 20 }, () => a.uniform());
    expect(Array.from({ length: 20 }, () => b.uniform())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.uniform())).not.toEqual(sa);
  });

  it('uniforms on [0,1) with mean 1/2 and variance 1/12; ints cover [0, n)', () => {
    const r = makeRng(7);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      if (!(u >= 0 && u < 1)) outside++;
      s += u;
      s2 += u * u;
    }
    expect(outside).toBe(0);
    expect(s / n).toBeCloseTo(0.5, 2);
    expect(s2 / n - (s / n) ** 2).toBeCloseTo(1 / 12, 3);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 50_000; i++) counts[r.int(5)]++;
    for (const k of counts) expect(Math.abs(k - 10_000)).toBeLessThan(400);
  });

  it('normals with mean 0, variance 1 and a 2.5% upper tail beyond 1.96', () => {
    const r = makeRng(11);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let tail = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
      if (z > 1.96) tail++;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(s2 / n).toBeCloseTo(1, 1);
    expect(tail / n).toBeGreaterThan(0.022);
    expect(tail / n).toBeLessThan(0.028);
  });
});
