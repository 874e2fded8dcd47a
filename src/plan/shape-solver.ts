// The shape solver: turns a target model scale (M, or 6·N1/6·N2, FLOPs per token) into a concrete LLaMA shape with real-model proportions.
//
// Rule (docs/plan.md):
//   depth   L*(d) = 0.275 · d^0.571   (d/L runs from 16 at d = 32 to 128 at d = 4096: DeepSeek 7B has 4096/30, Table 3's 512/8)
//   heads   head size 128 for d ≥ 1024, 64 for d ≥ 256, 32 for d ≥ 128, 16 for d ≥ 64, else 8;
//           d is a multiple of the head size (widths step by 8, 16, 32, 64, 128)
//   FFN     SwiGLU width tuned within ±25% of 8/3·d (±50% below d = 256; multiples of 8, 64 or 256 by size) to hit the target
// Among candidate (L, d, d_ff) the solver minimises 4·|ln(S/S*)| + 0.5·|ln(L/L*(d))| + 0.05·|ln(d_ff/(8/3·d))|:
// hit the target first, then keep depth/width on one curve and the FFN near LLaMA's ratio.
import { scalePerToken, type Representation } from '../flops/flops.ts';
import type { ModelShape } from '../flops/shape.ts';

export interface SolveOptions {
  seqLen: number;
  vocab: number;
  representation?: Representation;
  /** Query heads per KV head (1 = MHA). */
  kvGroup?: number;
}

export interface SolvedShape {
  shape: ModelShape;
  scale: number;
  /** ln(scale / target). */
  logError: number;
}

/** Stated tolerance of the solver: |scale/target − 1| ≤ 3% from 1e6 FLOPs/token up, ≤ 10% below (tiny shapes are coarse). */
export function SOLVER_TOLERANCE(target: number): number {
  return target >= 1e6 ? 0.03 : 0.1;
}

/** Preferred depth for width d (continuous). */
export function preferredDepth(d: number): number {
  return 0.275 * Math.pow(d, 0.571);
}

export function headSizeFor(d: number): number {
  return d >= 1024 ? 128 : d >= 256 ? 64 : d >= 128 ? 32 : d >= 64 ? 16 : 8;
}

function ffnGranule(d: number): number {
  return d >= 2048 ? 256 : d >= 512 ? 64 : 8;
}

/** Widths the solver may use: multiples of their head size, 8 … 32768. */
export function candidateWidths(): number[] {
  const out: number[] = [];
  for (let d = 8; d <= 32768; d += headSizeFor(d)) if (d % headSizeFor(d) === 0) out.push(d);
  return out;
}

const WIDTHS = candidateWidths();

function makeShape(nLayer: number, d: number, dFf: number, o: SolveOptions): ModelShape {
  const nHeads = d / headSizeFor(d);
  const group = o.kvGroup && nHeads % o.kvGroup === 0 ? o.kvGroup : 1;
  return { nLayer, dModel: d, nHeads, nKvHeads: nHeads / group, dFf, seqLen: o.seqLen, vocab: o.vocab };
}

/** Candidate shapes near a target, best first. */
export function solveShapes(target: number, o: SolveOptions, limit = 8): SolvedShape[] {
  if (!(target > 0) || !Number.isFinite(target)) throw new RangeError(`target scale must be finite and > 0, got ${target}`);
  const rep = o.representation ?? 'M';
  const scored: (SolvedShape & { score: number })[] = [];
  for (const d of WIDTHS) {
    const lStar = preferredDepth(d);
    const depths = new Set([Math.max(1, Math.floor(lStar)), Math.max(1, Math.ceil(lStar)), Math.max(1, Math.floor(lStar) - 1), Math.ceil(lStar) + 1]);
    for (const L of depths) {
      // Quick reject: with the standard FFN, is this (L, d) within a factor 1.6 of the target?
      const std = scalePerToken(makeShape(L, d, Math.round((8 * d) / 3), o), rep);
      if (std > target * 2.5 || std < target / 2.5) continue;
      const g = ffnGranule(d);
      const r = d < 256 ? 0.5 : 0.25;
      const lo = Math.max(g, Math.ceil(((1 - r) * 8 * d) / 3 / g) * g);
      const hi = Math.floor(((1 + r) * 8 * d) / 3 / g) * g;
      for (let f = lo; f <= hi; f += g) {
        const shape = makeShape(L, d, f, o);
        const s = scalePerToken(shape, rep);
        const logError = Math.log(s / target);
        const score = 4 * Math.abs(logError) + 0.5 * Math.abs(Math.log(L / lStar)) + 0.05 * Math.abs(Math.log((3 * f) / (8 * d)));
        scored.push({ shape, scale: s, logError, score });
      }
    }
  }
  if (scored.length === 0) {
    // Target outside every candidate's reach (below the smallest model at this sequence length, or above 32768 wide).
    const tiny = makeShape(1, 8, 24, o);
    return [{ shape: tiny, scale: scalePerToken(tiny, rep), logError: Math.log(scalePerToken(tiny, rep) / target) }];
  }
  scored.sort((a, b) => a.score - b.score);
  return scored.slice(0, limit).map(({ shape, scale, logError }) => ({ shape, scale, logError }));
}

export function solveShape(target: number, o: SolveOptions): SolvedShape {
  return solveShapes(target, o, 1)[0];
}

/** Smallest model scale the solver can build at this sequence length (1 layer, d = 8). */
export function minimumScale(o: SolveOptions): number {
  return scalePerToken(makeShape(1, 8, 16, o), o.representation ?? 'M');
}
