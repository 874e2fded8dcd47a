// The linearised variance that shortlists candidates: closed forms for a symmetric design, and the delta method checked against a
// Monte Carlo of the quadratic fit itself (draw noisy curves, fit, take the vertex, measure its spread).
import { describe, expect, it } from 'vitest';
import { targetVariance, vertexCovariance, type DesignBudget } from '../src/next/fisher.ts';
import type { IsoflopModel } from '../src/next/model.ts';
import { fitQuadratic, vertex } from '../src/fit/parabola.ts';
import { makeRng } from '../src/util/rng.ts';

/** A model with vertex x0(C) = 0.5·log10 C − 1, curvature κ, flat loss level. */
function model(kappa: number): IsoflopModel {
  const curveAt = (C: number) => ({ x0: 0.5 * Math.log10(C) - 1, L0: 3, kappa, from: 'laws' as const });
  return { curveAt, loss: (C, x) => 3 + kappa * (x - curveAt(C).x0) ** 2, lossLaw: { form: 'power', E: 0, A: 10, gamma: 0.05 }, kappa, scaleFrom: 'fit', scaleLaw: { coefficient: 0.1, exponent: 0.5 } };
}

describe('linearised (delta-method) variance', () => {
  it('symmetric 3-point design around the vertex: var(x*) = σ² / (2h²) / (2κ)²', () => {
    const m = model(0.8);
    const h = 0.25;
    const x0 = m.curveAt(1e18).x0;
    const b: DesignBudget = { budget: 1e18, points: [-h, 0, h].map((u) => ({ x: x0 + u, n: 1 })) };
    const sigma = 0.01;
    const v = vertexCovariance(b, m, { sigma2: sigma ** 2, seedSigma2: 0 })!;
    expect(v.vx).toBeCloseTo(sigma ** 2 / (2 * h * h) / (2 * 0.8) ** 2, 14);
  });

  it('slope of equally precise vertices: var(a) = var(x*) / Σ(u − ū)²; seeds average only their share of the noise', () => {
    const m = model(0.8);
    const design = [1e18, 1e19, 1e20].map((C) => ({ budget: C, points: [-0.3, -0.1, 0.1, 0.3].map((u) => ({ x: m.curveAt(C).x0 + u, n: 1 })) }));
    const noise = { sigma2: 1e-4, seedSigma2: 0 };
    const vx = vertexCovariance(design[0], m, noise)!.vx;
    expect(targetVariance(design, m, noise, { kind: 'a' })).toBeCloseTo(vx / 2, 14); // Σ(u − ū)² = 1 + 0 + 1
    // All noise is seed noise: 4 seeds per point quarter the variance; no seed noise: seeds change nothing.
    const seeded = design.map((b) => ({ ...b, points: b.points.map((p) => ({ ...p, n: 4 })) }));
    expect(targetVariance(seeded, m, { sigma2: 1e-4, seedSigma2: 1e-4 }, { kind: 'a' })).toBeCloseTo(vx / 8, 14);
    expect(targetVariance(seeded, m, noise, { kind: 'a' })).toBeCloseTo(vx / 2, 14);
    // One budget alone cannot give a slope.
    expect(targetVariance(design.slice(0, 1), m, noise, { kind: 'a' })).toBe(Infinity);
  });

  it('vertex variance of an off-centre design agrees with a Monte Carlo of the quadratic fit (within 10%)', () => {
    const kappa = 0.6;
    const m = model(kappa);
    const x0 = m.curveAt(1e18).x0;
    const xs = [-0.5, -0.3, -0.1, 0.1, 0.3, 0.5, 0.7].map((u) => x0 + 0.15 + u);
    const sigma = 0.004;
    const lin = vertexCovariance({ budget: 1e18, points: xs.map((x) => ({ x, n: 1 })) }, m, { sigma2: sigma ** 2, seedSigma2: 0 })!;
    const rng = makeRng(11);
    const vs: number[] = [];
    const ls: number[] = [];
    for (let k = 0; k < 4000; k++) {
      const q = fitQuadratic(xs, xs.map((x) => m.loss(1e18, x) + sigma * rng.normal()))!;
      const v = vertex(q);
      vs.push(v.x);
      ls.push(v.y);
    }
    const variance = (a: number[]) => {
      const mu = a.reduce((s, v) => s + v, 0) / a.length;
      return a.reduce((s, v) => s + (v - mu) ** 2, 0) / (a.length - 1);
    };
    expect(variance(vs) / lin.vx).toBeGreaterThan(0.9);
    expect(variance(vs) / lin.vx).toBeLessThan(1.1);
    expect(variance(ls) / lin.vy).toBeGreaterThan(0.9);
    expect(variance(ls) / lin.vy).toBeLessThan(1.1);
  });
});
