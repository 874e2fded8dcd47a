// Predictions from fitted laws: a named shape ('7b', '67b', or n_layer=…,d_model=…; parsed in src/flops/targets.ts) trained on its
// tokens, the compute-optimal model at a budget ('1e21'), or a point N=…,D=… (approach 3 only): compute, scale, tokens, loss from the
// loss curve (approach 2) and L(N, D) from approach 3, learning rate and batch size (Eq. 1 laws, when fitted).
import { evalLossLaw, evalPowerLaw, type LossLaw, type PowerLaw, type Prediction } from '../schema/laws.ts';
import { parseTargets, type PredictionTarget } from '../flops/targets.ts';
import { scaleCounts, scalePerToken, type Representation } from '../flops/flops.ts';
import { InputError } from '../util/errors.ts';
import { approach3Loss, approach3ScaleOpt, type Approach3Fit } from './approach3.ts';

/** A point target: a model of `params` parameters (or M FLOPs/token, `variable` 'M') trained on `tokens` tokens. */
export interface PointTarget {
  label: string;
  kind: 'point';
  variable: 'N' | 'M';
  params: number;
  tokens: number;
  /** The loss such a run actually reached (`L=…`), to print the prediction's error. */
  observed?: number;
}
export type FitTarget = PredictionTarget | PointTarget;

/** The laws a prediction reads (a full fit, a bootstrap resample, or a representation's refit). */
export interface LawSet {
  scale?: PowerLaw;
  loss?: LossLaw;
  lr?: PowerLaw;
  batch?: PowerLaw;
}

/**
 * Splits a `--predict` list into targets: items are separated by commas, but consecutive KEY=VALUE pieces form one target until a key
 * repeats (so 'N=7e9,D=2e12,N=1.3e10,D=5e12' is two points and 'n_layer=24,d_model=2048' one shape); ';' and spaces always separate.
 */
export function splitTargetList(text: string): string[] {
  const out: string[] = [];
  for (const chunk of text.split(/[;\s]+/).filter((s) => s !== '')) {
    let group: string[] = [];
    let keys = new Set<string>();
    const flush = () => {
      if (group.length) out.push(group.join(','));
      group = [];
      keys = new Set();
    };
    for (const piece of chunk.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      const eq = piece.indexOf('=');
      if (eq < 0) {
        flush();
        out.push(piece);
        continue;
      }
      const k = piece.slice(0, eq).replace(/^.*:/, '').trim();
      if (keys.has(k)) flush();
      keys.add(k);
      group.push(piece);
    }
    flush();
  }
  return out;
}

const POINT = /^(?:([^:=,]+):)?(.+)$/;

/**
 * Parses targets: 'N=7e9,D=2e12' / 'M=4.3e10,D=2e12' (optionally 'NAME:N=…,D=…', and ',L=2.48' = the loss such a run reached, to print
 * the error) as point targets, everything else via parseTargets.
 */
export function parseFitTargets(items: readonly string[]): FitTarget[] {
  const out: FitTarget[] = [];
  for (const raw of items) {
    const m = POINT.exec(raw.trim())!;
    const body = m[2];
    const kv = Object.fromEntries(body.split(',').map((p) => p.split('=').map((s) => s.trim())));
    if (!('D' in kv) || !('N' in kv || 'M' in kv)) {
      out.push(...parseTargets([raw]));
      continue;
    }
    for (const k of Object.keys(kv)) if (!['N', 'M', 'D', 'L'].includes(k)) throw new InputError(`unknown key '${k}' in point target '${raw}' (N or M, D, and optionally L)`, { field: '--predict' });
    if ('N' in kv && 'M' in kv) throw new InputError(`give N (parameters) or M (FLOPs/token), not both: '${raw}'`, { field: '--predict' });
    const variable = 'N' in kv ? 'N' : 'M';
    const params = Number(kv[variable]);
    const tokens = Number(kv.D);
    if (!(params > 0 && Number.isFinite(params))) throw new InputError(`${variable} must be a positive number in '${raw}'`, { field: '--predict' });
    if (!(tokens > 0 && Number.isFinite(tokens))) throw new InputError(`D must be a positive number in '${raw}'`, { field: '--predict' });
    const observed = 'L' in kv ? Number(kv.L) : undefined;
    if (observed !== undefined && !(observed > 0 && Number.isFinite(observed))) throw new InputError(`L must be a positive number in '${raw}'`, { field: '--predict' });
    out.push({ label: m[1]?.trim() || body, kind: 'point', variable, params, tokens, ...(observed !== undefined ? { observed } : {}) });
  }
  return out;
}

/** Compute, scale and tokens of a target in a representation (shapes: scale from the exact shape; budgets: scale = M_opt(C); points: scale = 6N or M). */
export function targetPoint(t: FitTarget, laws: LawSet, rep: Representation): { compute: number; scale: number; tokens: number } | undefined {
  if (t.kind === 'point') {
    const scale = t.variable === 'M' ? t.params : 6 * t.params;
    return { compute: scale * t.tokens, scale, tokens: t.tokens };
  }
  if (t.kind === 'shape') {
    const scale = scalePerToken(t.shape!, rep);
    return { compute: scale * t.tokens!, scale, tokens: t.tokens! };
  }
  if (!laws.scale) return undefined;
  const scale = evalPowerLaw(laws.scale, t.compute!);
  return { compute: t.compute!, scale, tokens: t.compute! / scale };
}

/** One prediction from the approach-2 laws, without intervals (the bootstrap adds them). Points have no approach-2 loss (not compute-optimal). */
export function predictOne(t: FitTarget, laws: LawSet, rep: Representation): Prediction | undefined {
  const pt = targetPoint(t, laws, rep);
  if (!pt) return undefined;
  const p: Prediction = { label: t.label, ...pt };
  if (laws.loss && t.kind !== 'point') p.loss = evalLossLaw(laws.loss, pt.compute);
  if (laws.lr) p.lr = evalPowerLaw(laws.lr, pt.compute);
  if (laws.batch) p.batchTokens = evalPowerLaw(laws.batch, pt.compute);
  if (t.kind === 'shape' && t.shape) p.shape = { ...t.shape };
  if (t.kind === 'point') p.params = t.params;
  return p;
}

/**
 * Approach 3 at a target: L(N, D) = E + A/N^α + B/D^β. Shapes use their N (N2 for 6N2 fits, else N1) or M; budgets the law's own
 * compute-optimal N = G·(C/k)^a, D = C/(k·N). A point given in the other scale variable is refused.
 */
export function predictApproach3(t: FitTarget, fit: Approach3Fit, rep: Representation): { params: number; tokens: number; loss: number } | undefined {
  const k = fit.scaleVariable === 'N' ? 6 : 1;
  let params: number;
  let tokens: number;
  if (t.kind === 'point') {
    if (t.variable !== fit.scaleVariable) return undefined;
    params = t.params;
    tokens = t.tokens;
  } else if (t.kind === 'shape') {
    const c = scaleCounts(t.shape!);
    params = fit.scaleVariable === 'M' ? c.M : rep === '6N2' ? c.N2 : c.N1;
    tokens = t.tokens!;
  } else {
    params = approach3ScaleOpt(fit, t.compute!);
    tokens = t.compute! / (k * params);
  }
  return { params, tokens, loss: approach3Loss(fit, params, tokens) };
}

export { parseTargets, type PredictionTarget } from '../flops/targets.ts';
