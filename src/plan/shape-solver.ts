// The shape family of a grid (docs/plan.md, "The shape family"): concrete LLaMA shapes from one rule, indexed by width alone.
//
// A family fixes a head size h, the FFN rule and the depth rule, and the cluster constraints (tensor parallel degree tp,
// pipeline parallel degree pp, query heads per KV head g). Its member of width d is
//   heads   d / h, kv heads d / (h·g)            d runs over multiples of h·g·tp, so heads and kv heads divide by tp
//   FFN     d_ff = ⌊8/3·d⌋ rounded up to lcm(multiple_of, tp)   (LLaMA; multiple_of 'auto' = llamaMultipleOf(d): 8 … 256)
//   depth   n_layer = pp·max(1, ⌊L*(d)/pp⌋),  L*(d) = 0.275·d^0.571     (DeepSeek 7B: 4096/30; Table 3: 768/12, 4096/32)
// so d, n_layer, d_ff/d and M all move monotonically along the family — except at a depth step that by itself multiplies
// the scale by more than DEPTH_BRIDGE_RATIO (at micro sizes 1 → 2 layers more than doubles M): there the deeper depth also comes at the narrower widths
// just below the step (d_model dips, depth stays monotonic), so the family has no gap wider than a width step. A grid takes distinct members nearest its targets
// (selectMembers: an order-preserving assignment minimising Σ|ln(S/S*)|) and accepts their real scale: D = C/S keeps C exact.
import { scalePerToken, type Representation } from '../flops/flops.ts';
import { llamaFfn, llamaMultipleOf, type ModelShape } from '../flops/shape.ts';
import type { ShapeFamilySpec } from '../schema/plan.ts';
import { InputError } from '../util/errors.ts';

/** What a family is built from: the data's sequence length and vocabulary, and the cluster's constraints. */
export interface FamilyConstraints {
  seqLen: number;
  vocab: number;
  representation?: Representation;
  /** Query heads per KV head (1 = MHA). */
  kvGroup?: number;
  /** Tensor-parallel degree: heads, kv heads, d_model and d_ff divisible by it. */
  tp?: number;
  /** Pipeline-parallel degree: n_layer divisible by it. */
  pp?: number;
  /** Head size, or 'auto' (chosen per budget: autoHeadSize). */
  headSize?: number | 'auto';
  /** FFN granule, or 'auto' (llamaMultipleOf(d) per width). */
  multipleOf?: number | 'auto';
}

/** A family with every choice made (what a budget of a plan records). */
export interface ShapeFamily extends ShapeFamilySpec {
  seqLen: number;
  vocab: number;
  representation: Representation;
}

export interface SolvedShape {
  shape: ModelShape;
  scale: number;
  /** ln(scale / target). */
  logError: number;
}

/** A family member: its shape and its scale (FLOPs/token in the family's representation). */
export interface FamilyMember {
  shape: ModelShape;
  scale: number;
}

/** The depth rule, in words (recorded in plans). */
export const DEPTH_RULE = 'n_layer = pp·max(1, floor(0.275·d^0.571 / pp))';
/** Narrowest and widest models a family enumerates (d = 8: the smallest the trainer is tested on). */
export const MIN_WIDTH = 8;
export const MAX_WIDTH = 65536;
/** Smallest head size the automatic choice goes down to (RoPE needs an even head size; 4 gives two frequencies). */
export const MIN_AUTO_HEAD_SIZE = 4;

/** Preferred depth for width d (continuous): L*(d) = 0.275·d^0.571. */
export function preferredDepth(d: number): number {
  return 0.275 * Math.pow(d, 0.571);
}

/** The family's depth at width d: the preferred depth rounded down to a multiple of pp (at least pp). */
export function familyDepth(d: number, pp = 1): number {
  return pp * Math.max(1, Math.floor(preferredDepth(d) / pp + 1e-9));
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
export function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

/** The family's FFN width at d: LLaMA's ⌊8/3·d⌋ rounded up to lcm(multiple_of, tp). */
export function familyFfn(d: number, multipleOf: number | 'auto' = 'auto', tp = 1): number {
  const m = multipleOf === 'auto' ? llamaMultipleOf(d) : multipleOf;
  return llamaFfn(d, lcm(m, tp));
}

/**
 * Default head size for a grid whose optimum has width dOpt: the largest power of two ≤ dOpt/8 (so the optimum has at least 8
 * heads and widths step by ≤ 12.5% there), between 8 and 128 (128 from d = 1024 up: DeepSeek 7B/67B, LLaMA).
 */
export function autoHeadSize(dOpt: number): number {
  return Math.min(128, Math.max(8, 2 ** Math.floor(Math.log2(Math.max(1, dOpt / 8)))));
}

function checkConstraint(v: number | undefined, flag: string, min = 1): number {
  const n = v ?? 1;
  if (!Number.isInteger(n) || n < min) throw new InputError(`must be an integer ≥ ${min}, got ${v}`, { field: flag });
  return n;
}

/** A family with head size `headSize` under the constraints `c` (validated: each bad value names its flag). */
export function makeFamily(c: FamilyConstraints, headSize: number): ShapeFamily {
  const kvGroup = checkConstraint(c.kvGroup, '--kv-group');
  const tp = checkConstraint(c.tp, '--tp');
  const pp = checkConstraint(c.pp, '--pp');
  if (!Number.isInteger(headSize) || headSize < 2 || headSize % 2 !== 0) throw new InputError(`must be an even integer ≥ 2 (RoPE rotates pairs), got ${headSize}`, { field: '--head-size' });
  const multipleOf = c.multipleOf ?? 'auto';
  if (multipleOf !== 'auto' && !(Number.isInteger(multipleOf) && multipleOf >= 1)) throw new InputError(`must be 'auto' or an integer ≥ 1, got ${multipleOf}`, { field: '--multiple-of' });
  return {
    headSize, multipleOf, kvGroup, tp, pp,
    widthStep: headSize * kvGroup * tp,
    depthRule: DEPTH_RULE,
    seqLen: c.seqLen, vocab: c.vocab, representation: c.representation ?? 'M',
  };
}

/** The member of width d (d must be a multiple of the family's width step). */
export function familyShape(d: number, f: ShapeFamilySpec & { seqLen: number; vocab: number }): ModelShape {
  const nHeads = d / f.headSize;
  return { nLayer: familyDepth(d, f.pp), dModel: d, nHeads, nKvHeads: nHeads / f.kvGroup, dFf: familyFfn(d, f.multipleOf, f.tp), seqLen: f.seqLen, vocab: f.vocab };
}

/**
 * A depth step of the rule that by itself multiplies the scale by more than this is bridged (see the header): 1.25 ≈ the spacing
 * of 10 points per decade. Only the steps 1 → 2 → 3 → 4 layers are that large (one more of 12 layers adds 8%).
 */
export const DEPTH_BRIDGE_RATIO = 1.25;

/**
 * Members with scale in [lo, hi], in increasing scale (= increasing depth; width and FFN width increase too, but for the bridge
 * members at a large depth step, which have the deeper depth at narrower widths).
 */
export function familyMembers(f: ShapeFamily, lo: number, hi: number): FamilyMember[] {
  const member = (d: number, nLayer?: number): FamilyMember => {
    const shape = familyShape(d, f);
    const s = nLayer === undefined ? shape : { ...shape, nLayer };
    return { shape: s, scale: scalePerToken(s, f.representation) };
  };
  const primary: FamilyMember[] = [];
  const first = Math.ceil(MIN_WIDTH / f.widthStep) * f.widthStep;
  for (let d = first; d <= MAX_WIDTH; d += f.widthStep) {
    const m = member(d);
    primary.push(m);
    if (m.scale > hi) break; // keep the first member beyond hi: a bridge below it may still fall inside [lo, hi]
  }
  const all: FamilyMember[] = [...primary];
  for (let i = 1; i < primary.length; i++) {
    const a = primary[i - 1], b = primary[i];
    // The jump the depth step itself causes: b against b's width at a's depth.
    if (b.shape.nLayer <= a.shape.nLayer || b.scale / member(b.shape.dModel, a.shape.nLayer).scale <= DEPTH_BRIDGE_RATIO) continue;
    for (let d = b.shape.dModel - f.widthStep; d >= first; d -= f.widthStep) {
      const m = member(d, b.shape.nLayer);
      if (m.scale <= a.scale) break;
      all.push(m);
    }
  }
  return all.filter((m) => m.scale >= lo && m.scale <= hi).sort((x, y) => x.scale - y.scale);
}

/**
 * The (continuous) width at which the family's scale reaches `target` — independent of the head size, since M does not depend
 * on it (k and v are d × d/g for any head size). Used to choose the head size of a budget.
 */
export function widthForScale(target: number, c: FamilyConstraints): number {
  const rep = c.representation ?? 'M';
  const g = c.kvGroup ?? 1;
  const at = (d: number) =>
    scalePerToken({ nLayer: familyDepth(d, c.pp ?? 1), dModel: d, nHeads: g, nKvHeads: 1, dFf: familyFfn(d, c.multipleOf ?? 'auto', c.tp ?? 1), seqLen: c.seqLen, vocab: c.vocab }, rep);
  let lo = 1, hi = 2;
  while (at(hi) < target && hi < MAX_WIDTH) [lo, hi] = [hi, hi * 2];
  for (let i = 0; i < 40 && hi - lo > 0.5; i++) {
    const mid = (lo + hi) / 2;
    if (at(mid) < target) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * Order-preserving assignment of sorted targets to sorted member scales, minimising Σ|ln(S/S*)| over min(n, K) pairs (each
 * target and each member used at most once). Returns [target index, member index] pairs in increasing order of both.
 */
export function selectMembers(targets: readonly number[], scales: readonly number[]): [number, number][] {
  const n = targets.length, K = scales.length;
  const m = Math.min(n, K);
  if (m === 0) return [];
  // Match the shorter sequence entirely into the longer one: cost[i][j] for the i-th of the short, j-th of the long.
  const swap = K < n;
  const short = swap ? scales : targets, long = swap ? targets : scales;
  const cost = (i: number, j: number) => Math.abs(Math.log(short[i] / long[j]));
  // f[i][j]: best cost of matching the first i of `short` within the first j of `long`.
  const f: number[][] = Array.from({ length: m + 1 }, () => new Array(long.length + 1).fill(Infinity));
  for (let j = 0; j <= long.length; j++) f[0][j] = 0;
  for (let i = 1; i <= m; i++) {
    for (let j = i; j <= long.length; j++) f[i][j] = Math.min(f[i][j - 1], f[i - 1][j - 1] + cost(i - 1, j - 1));
  }
  const pairs: [number, number][] = [];
  let j = long.length;
  for (let i = m; i >= 1; i--) {
    while (j > i && f[i][j] === f[i][j - 1]) j--;
    pairs.push(swap ? [j - 1, i - 1] : [i - 1, j - 1]);
    j--;
  }
  return pairs.reverse();
}

/** Head sizes the automatic choice tries for a grid around width dOpt: autoHeadSize, then halves down to a quarter of it (≥ 4). */
export function autoHeadSizes(dOpt: number): number[] {
  const h0 = autoHeadSize(dOpt);
  const out: number[] = [];
  for (let h = h0; h >= Math.max(MIN_AUTO_HEAD_SIZE, h0 / 4); h /= 2) out.push(h);
  return out;
}

/** The scale window a grid's members must lie in: the targets' range widened by one grid step (in log scale) on each side. */
export function gridWindow(targets: readonly number[], gridStep: number): { lo: number; hi: number } {
  return { lo: Math.min(...targets) * Math.exp(-gridStep) * (1 - 1e-12), hi: Math.max(...targets) * Math.exp(gridStep) * (1 + 1e-12) };
}

/** How much worse (mean |ln S/S*| per point) a larger automatic head size may fit the targets than the best one and still be chosen. */
export const HEAD_SIZE_SLACK = 0.05;

/**
 * The family of one budget's grid and its members inside gridWindow(targets, gridStep). With a given head size, that one. With
 * 'auto', each of autoHeadSizes(width at S_opt) is tried: among those giving the most points, the largest head size whose mean
 * |ln(S/S*)| is within HEAD_SIZE_SLACK of the best (so 128 stays at large sizes, and micro grids get the finer widths of 4 or 8).
 */
export function chooseFamily(scaleOpt: number, targets: readonly number[], gridStep: number, c: FamilyConstraints): { family: ShapeFamily; members: FamilyMember[] } {
  const { lo, hi } = gridWindow(targets, gridStep);
  const sizes = c.headSize === undefined || c.headSize === 'auto' ? autoHeadSizes(widthForScale(scaleOpt, c)) : [c.headSize];
  const tried = sizes.map((h) => {
    const family = makeFamily(c, h);
    const members = familyMembers(family, lo, hi);
    const pairs = selectMembers(targets, members.map((m) => m.scale));
    const mean = pairs.length ? pairs.reduce((acc, [i, k]) => acc + Math.abs(Math.log(members[k].scale / targets[i])), 0) / pairs.length : Infinity;
    return { family, members, points: pairs.length, mean };
  });
  const most = Math.max(...tried.map((t) => t.points));
  const full = tried.filter((t) => t.points === most);
  const bestMean = Math.min(...full.map((t) => t.mean));
  const pick = full.find((t) => t.mean <= bestMean + HEAD_SIZE_SLACK)!; // sizes run largest first
  return { family: pick.family, members: pick.members };
}

/** The family member nearest a target (in |ln S/S*|), with the head size chosen as for a grid at that target. */
export function solveShape(target: number, c: FamilyConstraints): SolvedShape {
  if (!(target > 0) || !Number.isFinite(target)) throw new RangeError(`target scale must be finite and > 0, got ${target}`);
  const { family, members } = chooseFamily(target, [target], Math.log(4), c);
  const list = members.length ? members : familyMembers(family, 0, Infinity).slice(0, 1);
  if (!list.length) throw new InputError(`no model of this family fits (width step ${family.widthStep} > ${MAX_WIDTH})`, { field: '--head-size' });
  const [[, k]] = selectMembers([target], list.map((m) => m.scale));
  return { shape: list[k].shape, scale: list[k].scale, logError: Math.log(list[k].scale / target) };
}

/** Smallest model scale any family can build at this sequence length (1 layer, d = MIN_WIDTH, head size 4). */
export function minimumScale(c: FamilyConstraints): number {
  const f = makeFamily({ ...c, headSize: 4, tp: 1, pp: 1, kvGroup: 1 }, 4);
  return scalePerToken(familyShape(MIN_WIDTH, f), f.representation);
}
