// Weighted quadratic least squares: exact recovery, weights as repeated points, vertex closed form, singular input.
import { describe, expect, it } from 'vitest';
import { addPoint, emptySums, fitQuadratic, solveSums, vertex } from '../src/fit/parabola.ts';

describe('fitQuadratic', () => {
  it('recovers an exact quadratic far from the origin (x ≈ log10 M ≈ 9)', () => {
    const q = { c0: 40, c1: -8.1, c2: 0.45 };
    const x = [8.1, 8.4, 8.55, 9.0, 9.3, 9.9];
    const y = x.map((v) => q.c0 + q.c1 * v + q.c2 * v * v);
    const f = fitQuadratic(x, y)!;
    expect(f.c2).toBeCloseTo(q.c2, 8);
    expect(f.c1).toBeCloseTo(q.c1, 6);
    expect(f.c0).toBeCloseTo(q.c0, 5);
    expect(vertex(f).x).toBeCloseTo(8.1 / 0.9, 8);
  });

  it('integer weights equal repeated points, whatever the centre of the sums', () => {
    const x = [0, 0.3, 0.5, 0.9, 1.4, 2];
    const y = [3, 2.5, 2.3, 2.2, 2.6, 3.3];
    const w = [1, 2, 0, 3, 1, 1];
    const rep = { x: [] as number[], y: [] as number[] };
    x.forEach((v, i) => {
      for (let k = 0; k < w[i]; k++) {
        rep.x.push(v);
        rep.y.push(y[i]);
      }
    });
    const ref = fitQuadratic(rep.x, rep.y)!;
    for (const center of [-3, 0, 0.7, 5]) {
      const s = emptySums(center);
      x.forEach((v, i) => addPoint(s, v, y[i], w[i]));
      const q = solveSums(s)!;
      expect(q.c0).toBeCloseTo(ref.c0, 9);
      expect(q.c1).toBeCloseTo(ref.c1, 9);
      expect(q.c2).toBeCloseTo(ref.c2, 9);
    }
  });

  it('vertex: x* = −c1/(2c2), y* = c0 − c1²/(4c2)', () => {
    const v = vertex({ c0: 5, c1: -4, c2: 2 });
    expect(v.x).toBe(1);
    expect(v.y).toBe(3);
  });

  it('is undefined with fewer than 3 distinct x', () => {
    expect(fitQuadratic([1, 1, 2, 2], [1, 1.1, 2, 2.1])).toBeUndefined();
  });
});
