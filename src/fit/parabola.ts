// Weighted least-squares quadratic y ≈ c0 + c1·x + c2·x² (the IsoFLOP parabola of approach 2), solved on centred x for conditioning.

export interface Quadratic {
  c0: number;
  c1: number;
  c2: number;
}

/** Weighted sums of a quadratic fit on centred x (u = x − center): Σw·u^k (k = 0…4) and Σw·u^k·y (k = 0…2). */
export interface QuadSums {
  center: number;
  s0: number;
  s1: number;
  s2: number;
  s3: number;
  s4: number;
  t0: number;
  t1: number;
  t2: number;
}

export function emptySums(center: number): QuadSums {
  return { center, s0: 0, s1: 0, s2: 0, s3: 0, s4: 0, t0: 0, t1: 0, t2: 0 };
}

/** Adds one point (x, y) with weight w to the sums. */
export function addPoint(s: QuadSums, x: number, y: number, w = 1): void {
  const u = x - s.center;
  const u2 = u * u;
  s.s0 += w;
  s.s1 += w * u;
  s.s2 += w * u2;
  s.s3 += w * u2 * u;
  s.s4 += w * u2 * u2;
  s.t0 += w * y;
  s.t1 += w * u * y;
  s.t2 += w * u2 * y;
}

/** Solves the 3×3 normal equations of the sums; undefined when they are singular (fewer than 3 distinct x). */
export function solveSums(s: QuadSums): Quadratic | undefined {
  // Normal equations [s0 s1 s2; s1 s2 s3; s2 s3 s4]·[d0 d1 d2] = [t0 t1 t2] in u = x − center (Cramer's rule).
  const { s0, s1, s2, s3, s4, t0, t1, t2 } = s;
  const det = s0 * (s2 * s4 - s3 * s3) - s1 * (s1 * s4 - s3 * s2) + s2 * (s1 * s3 - s2 * s2);
  const scale = Math.max(Math.abs(s0 * s2 * s4), Math.abs(s2 * s2 * s2), 1e-300);
  if (!(Math.abs(det) > 1e-12 * scale)) return undefined;
  const d0 = (t0 * (s2 * s4 - s3 * s3) - s1 * (t1 * s4 - s3 * t2) + s2 * (t1 * s3 - s2 * t2)) / det;
  const d1 = (s0 * (t1 * s4 - t2 * s3) - t0 * (s1 * s4 - s3 * s2) + s2 * (s1 * t2 - t1 * s2)) / det;
  const d2 = (s0 * (s2 * t2 - s3 * t1) - s1 * (s1 * t2 - t1 * s2) + t0 * (s1 * s3 - s2 * s2)) / det;
  // Back to x: d0 + d1·(x − c) + d2·(x − c)².
  const c = s.center;
  return { c0: d0 - d1 * c + d2 * c * c, c1: d1 - 2 * d2 * c, c2: d2 };
}

/** Weighted least-squares quadratic through (x, y); undefined when fewer than 3 distinct x carry weight. */
export function fitQuadratic(x: ArrayLike<number>, y: ArrayLike<number>, w?: ArrayLike<number>): Quadratic | undefined {
  let mean = 0;
  let wsum = 0;
  for (let i = 0; i < x.length; i++) {
    const wi = w ? w[i] : 1;
    mean += wi * x[i];
    wsum += wi;
  }
  if (!(wsum > 0)) return undefined;
  const s = emptySums(mean / wsum);
  for (let i = 0; i < x.length; i++) addPoint(s, x[i], y[i], w ? w[i] : 1);
  return solveSums(s);
}

/** Vertex (x*, y*) of c0 + c1·x + c2·x²: x* = −c1/(2·c2), y* = c0 − c1²/(4·c2). Meaningful as a minimum only when c2 > 0. */
export function vertex(q: Quadratic): { x: number; y: number } {
  const x = -q.c1 / (2 * q.c2);
  return { x, y: q.c0 + q.c1 * x + q.c2 * x * x };
}

export function evalQuadratic(q: Quadratic, x: number): number {
  return q.c0 + q.c1 * x + q.c2 * x * x;
}
