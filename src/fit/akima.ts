// Akima cubic spline (Akima 1970, exactly as scipy.interpolate.Akima1DInterpolator, method 'akima') and the exact minimum of the
// resulting piecewise cubic: Porian et al. (2024)'s per-budget IsoFLOP optimum (spline of log loss in log N, argmin, edge minima dropped).
//
// Why a module of our own: commons-math-interpolation (the npm port of Apache Commons Math) needs ≥ 5 points and uses three-point
// end derivatives, so it neither accepts the 3–4 point budgets of real grids nor reproduces the scipy spline Porian et al. used.

/** A piecewise cubic in Hermite form: knots x (strictly increasing), values y and slopes t at the knots. */
export interface HermiteSpline {
  x: Float64Array;
  y: Float64Array;
  t: Float64Array;
}

/**
 * Akima slopes at the knots: segment slopes m_i, two extrapolated slopes at each end (m_{-1} = 2m_0 − m_1, m_{-2} = 2m_{-1} − m_0,
 * likewise on the right), then t_i = (|m_{i+1} − m_i|·m_{i−1} + |m_{i−1} − m_{i−2}|·m_i) / (|m_{i+1} − m_i| + |m_{i−1} − m_{i−2}|),
 * or the mean (m_{i−1} + m_i)/2 where both weights vanish (scipy's rule: weight sum ≤ 1e-9 × the largest). Needs ≥ 3 knots.
 */
export function akimaSpline(xs: ArrayLike<number>, ys: ArrayLike<number>): HermiteSpline {
  const n = xs.length;
  if (n < 3 || ys.length !== n) throw new Error(`akimaSpline: need ≥ 3 points with one y each (got ${n} x, ${ys.length} y)`);
  for (let i = 1; i < n; i++) if (!(xs[i] > xs[i - 1])) throw new Error('akimaSpline: x must be strictly increasing');
  // m[2 .. n] are the n − 1 segment slopes; m[0], m[1], m[n+1], m[n+2] the extrapolated ones.
  const m = new Float64Array(n + 3);
  for (let i = 0; i < n - 1; i++) m[i + 2] = (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]);
  m[1] = 2 * m[2] - m[3];
  m[0] = 2 * m[1] - m[2];
  m[n + 1] = 2 * m[n] - m[n - 1];
  m[n + 2] = 2 * m[n + 1] - m[n];
  const f1 = new Float64Array(n);
  const f2 = new Float64Array(n);
  let maxF = -Infinity;
  for (let i = 0; i < n; i++) {
    f1[i] = Math.abs(m[i + 3] - m[i + 2]);
    f2[i] = Math.abs(m[i + 1] - m[i]);
    maxF = Math.max(maxF, f1[i] + f2[i]);
  }
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const f12 = f1[i] + f2[i];
    t[i] = f12 > 1e-9 * maxF ? (f1[i] * m[i + 1] + f2[i] * m[i + 2]) / f12 : 0.5 * (m[i + 3] + m[i]);
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys), t };
}

/** Cubic coefficients of segment i in u = x − x_i: y_i + t_i·u + c2·u² + c3·u³ (cubic Hermite interpolation). */
function segment(s: HermiteSpline, i: number): [number, number, number, number] {
  const h = s.x[i + 1] - s.x[i];
  const slope = (s.y[i + 1] - s.y[i]) / h;
  const c2 = (3 * slope - 2 * s.t[i] - s.t[i + 1]) / h;
  const c3 = (s.t[i] + s.t[i + 1] - 2 * slope) / (h * h);
  return [s.y[i], s.t[i], c2, c3];
}

/** The spline's value at x (x outside the knots: the end segment's cubic, as scipy extrapolates). */
export function evalSpline(s: HermiteSpline, x: number): number {
  const n = s.x.length;
  let i = 0;
  while (i < n - 2 && x > s.x[i + 1]) i++;
  const [a, b, c, d] = segment(s, i);
  const u = x - s.x[i];
  return a + u * (b + u * (c + u * d));
}

export interface SplineMinimum {
  x: number;
  y: number;
  /** 'interior' when the minimum lies strictly inside the knot range, else the end it sits on. */
  where: 'interior' | 'first' | 'last';
}

/**
 * Exact minimum of the spline on [x_0, x_{n−1}]: the knots and every stationary point of each segment's cubic (roots of its
 * derivative inside the segment). A minimum on the first or last knot means the data's minimum is not bracketed.
 */
export function splineMinimum(s: HermiteSpline): SplineMinimum {
  const n = s.x.length;
  let bestX = s.x[0];
  let bestY = s.y[0];
  const consider = (x: number, y: number) => {
    if (y < bestY) {
      bestY = y;
      bestX = x;
    }
  };
  for (let i = 1; i < n; i++) consider(s.x[i], s.y[i]);
  for (let i = 0; i < n - 1; i++) {
    const [a, b, c, d] = segment(s, i);
    const h = s.x[i + 1] - s.x[i];
    // y'(u) = b + 2c·u + 3d·u² = 0 on (0, h).
    const roots: number[] = [];
    if (Math.abs(d) < 1e-14 * (Math.abs(c) + Math.abs(b) / h + 1e-300)) {
      if (c !== 0) roots.push(-b / (2 * c));
    } else {
      const disc = 4 * c * c - 12 * d * b;
      if (disc >= 0) {
        const sq = Math.sqrt(disc);
        // Numerically stable pair of roots.
        const q = -0.5 * (2 * c + (c >= 0 ? sq : -sq));
        if (q !== 0) roots.push(q / (3 * d), b / q);
        else roots.push(0);
      }
    }
    for (const u of roots) if (u > 0 && u < h) consider(s.x[i] + u, a + u * (b + u * (c + u * d)));
  }
  const span = s.x[n - 1] - s.x[0];
  const where = bestX <= s.x[0] + 1e-12 * span ? 'first' : bestX >= s.x[n - 1] - 1e-12 * span ? 'last' : 'interior';
  return { x: bestX, y: bestY, where };
}
