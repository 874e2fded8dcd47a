// The laws/fits JSON format (docs/laws-format.md): fitted or published scaling laws with provenance. Written by `scaling fit`, read by `plan`, `fit --predict` and `report`.
import { InputError, requireNumber, requireObject, requireString } from '../util/errors.ts';
import { readJsonFile, writeJsonFile } from './json-file.ts';
import type { Representation } from '../flops/flops.ts';

export const LAWS_SCHEMA = 'scaling.laws';
export const LAWS_VERSION = 1;

/** A closed interval [lo, hi] at the file's confidence level. */
export type Interval = [number, number];

/** y = coefficient · C^exponent (C in FLOPs). */
export interface PowerLaw {
  coefficient: number;
  exponent: number;
  /** Confidence intervals (bootstrap percentile unless `ci.method` says otherwise). */
  ci?: { coefficient: Interval; exponent: Interval };
  /** Coefficient of determination in log space, when fitted. */
  r2?: number;
  /** false when the data cannot support the law (written for inspection, not for planning); absent = supported (older files). */
  supported?: boolean;
  /** Why it is not supported: warning codes (details.diagnostics has their messages). */
  reasons?: string[];
}

/**
 * A named warning of a fit (codes and when they fire: src/fit/warnings.ts, docs/fit-methods.md): what happened, what to do, the
 * laws it undermines ('scale', 'data', 'loss', 'lr', 'batch', 'approach3', 'stepLaw', 'prediction:LABEL') and the budgets it names.
 */
export interface FitWarning {
  code: string;
  message: string;
  action: string;
  laws?: string[];
  budgets?: number[];
}

/** Loss against compute through the budgets' optimal losses: L(C) = E + A·C^(−γ) ('offset-power') or A·C^(−γ) ('power', E = 0). */
export interface LossLaw {
  form: 'offset-power' | 'power';
  E: number;
  A: number;
  gamma: number;
  ci?: { E: Interval; A: Interval; gamma: Interval };
  /** As for PowerLaw: false when the data cannot support the curve, with the warning codes why. */
  supported?: boolean;
  reasons?: string[];
}

export interface LawsProvenance {
  /** Where the laws come from: a citation for published laws, 'scaling fit' for fitted ones. */
  source: string;
  /** ISO date (YYYY-MM-DD or full timestamp). */
  created: string;
  /** How they were obtained, e.g. 'IsoFLOP parabolas (Chinchilla approach 2), least squares in log space'. */
  method: string;
  /** Tool name and version that wrote the file. */
  tool?: string;
  /** Input files with their content hashes (sha256 of the bytes). */
  inputs?: { file: string; sha256: string; rows?: number }[];
  /** sha256 over the fitted observations (order-independent), so two fits of the same data compare equal. */
  dataHash?: string;
  options?: Record<string, unknown>;
  seed?: number;
  notes?: string;
}

export interface LawsFile {
  schema: typeof LAWS_SCHEMA;
  version: typeof LAWS_VERSION;
  /** Short label used by reports and tables (e.g. 'deepseek-llm', 'micro-curated'). */
  name: string;
  /** Dataset the laws describe. */
  dataset: string;
  /** What "model scale" means: M (non-embedding FLOPs/token incl. attention), 6N1 or 6N2 (FLOPs/token as 6 × params). C = scale · D. */
  representation: Representation;
  units: { compute: 'FLOPs'; scale: 'FLOPs/token'; data: 'tokens'; batch: 'tokens'; loss: string };
  /** Confidence level of every `ci` in the file (e.g. 0.95). */
  ciLevel?: number;
  laws: {
    /** Optimal model scale: M_opt = coefficient · C^a (paper Eq. 4). */
    scale?: PowerLaw;
    /** Optimal data: D_opt = coefficient · C^b (paper Eq. 4). */
    data?: PowerLaw;
    /** Optimal peak learning rate: η_opt = coefficient · C^p (paper Eq. 1). */
    lr?: PowerLaw;
    /** Optimal batch size in tokens: B_opt = coefficient · C^q (paper Eq. 1). */
    batch?: PowerLaw;
    /** Loss of the compute-optimal model against C. */
    loss?: LossLaw;
  };
  provenance: LawsProvenance;
  /** Everything else a fit produced (per-budget optima, points, approach 1/3, representations, bootstrap, backtest, predictions); see FitDetails. */
  details?: FitDetails;
}

/** One budget's IsoFLOP optimum (approach 2). x = log10(scale); loss ≈ c0 + c1·x + c2·x². */
export interface BudgetOptimum {
  budget: number;
  points: number;
  usedPoints: number;
  scaleOpt: number;
  dataOpt: number;
  lossOpt: number;
  parabola?: { c0: number; c1: number; c2: number };
  /** Scale range of the points the parabola was fitted on. */
  window?: Interval;
  bracketed: boolean;
  dropped?: boolean;
  warnings: string[];
  ci?: { scaleOpt?: Interval; lossOpt?: Interval };
  /** How the optimum was found: 'parabola' (vertex of the window's parabola) or 'spline' (argmin of an Akima spline of log loss). */
  method?: 'parabola' | 'spline';
  /** Optimum computed but kept out of the power laws (unbracketed or flat, unless --keep-unbracketed); `codes` say why. */
  excluded?: boolean;
  /** Warning codes of this budget (details.diagnostics has the messages and what to do). */
  codes?: string[];
  /** Scales of the data minimum's neighbours: the interval that brackets the minimum (absent when it is at an edge). */
  bracket?: Interval;
  /** Curvature check: parabola on all the budget's scales, c2 in loss per decade², its standard error (pooled residuals) and t = c2/se. */
  curvature?: { c2: number; se: number; t: number };
  /** The Akima spline (method 'spline'): knots x = log10 scale, y = ln loss, slopes t (src/fit/akima.ts evaluates it). */
  spline?: { x: number[]; y: number[]; t: number[] };
}

/** One final result as the fitter saw it. */
export interface FitPoint {
  runId: string;
  budget: number;
  compute: number;
  scale: number;
  tokens: number;
  loss: number;
  lr?: number;
  batchTokens?: number;
  nearOptimal?: boolean;
}

export interface Prediction {
  label: string;
  compute: number;
  scale: number;
  tokens: number;
  loss?: number;
  lossInterval?: Interval;
  scaleInterval?: Interval;
  tokensInterval?: Interval;
  lr?: number;
  lrInterval?: Interval;
  batchTokens?: number;
  batchInterval?: Interval;
  shape?: { nLayer: number; dModel: number; nHeads: number; nKvHeads: number; dFf: number; seqLen: number; vocab: number };
  /** Point targets (`N=7e9,D=2e12`): the parameters (in approach 3's scale variable) they name. */
  params?: number;
  /** Approach 3's L(N, D) at this target (its own compute-optimal N, D for a budget target), with its bootstrap interval. */
  approach3?: {
    params: number; tokens: number; loss: number; lossInterval?: Interval; supported?: boolean; reasons?: string[];
    /** A point target's observed loss (`…,L=2.48`) and the relative error (loss − observed)/observed. */
    observed?: number; error?: number;
  };
  /** false when the laws it is read from are unsupported or it extrapolates too far; absent = supported. */
  supported?: boolean;
  reasons?: string[];
}

export interface FitDetails {
  optima: BudgetOptimum[];
  points: FitPoint[];
  warnings: string[];
  approach1?: { scale: PowerLaw; data: PowerLaw; envelope: { compute: number; loss: number; scale: number }[] };
  approach3?: {
    E: number; A: number; B: number; alpha: number; beta: number; a: number; b: number; G: number; objective: number; scaleVariable: 'N' | 'M';
    ci?: Record<string, Interval>; starts?: number; points?: number;
    /** false when the fit is not supported by the data (codes in reasons); absent = supported. */
    supported?: boolean; reasons?: string[];
  };
  representations?: { representation: Representation; scale: PowerLaw; data: PowerLaw; loss?: LossLaw; predictions?: Prediction[] }[];
  hyper?: {
    threshold: number; nearOptimal: FitPoint[]; form: 'compute' | 'steplaw'; stepLaw?: Record<string, number>;
    /** Bootstrap intervals of the Step Law coefficients and exponents (keys as in stepLaw). */
    stepLawCi?: Record<string, Interval>;
    /** Step Law form: false when the data cannot support it (codes in stepLawReasons). */
    stepLawSupported?: boolean; stepLawReasons?: string[];
    /** Near-optimal runs were selected within each (N, D) group of the budgets that hold several. */
    perGroup?: boolean;
    /** Which hyperparameters were swept (varied within a budget or group); laws only for those. */
    swept?: { lr: boolean; batch: boolean };
  };
  predictions?: Prediction[];
  backtest?: {
    heldOut: number[];
    rows: { budget: number; lossPred: number; lossTrue: number; lossErr: number; scalePred: number; scaleTrue: number; scaleErr: number; lossErrInterval?: Interval; scaleErrInterval?: Interval }[];
    /** Approach 3 refitted without the held-out budgets' runs, predicting each of their runs' loss L(N, D). */
    approach3?: { runId: string; budget: number; params: number; tokens: number; lossPred: number; lossTrue: number; lossErr: number }[];
  };
  /** Every named warning of the fit, once each (structured: code, message, what to do, laws, budgets); `warnings` holds them as lines. */
  diagnostics?: FitWarning[];
  bootstrap?: {
    resamples: number; seed: number; level: number; failures?: Record<string, number>; seconds?: number;
    /** How runs were resampled (docs/fit-methods.md §8), and how many single-run budgets' runs were pooled into one stratum. */
    scheme?: string; pooledSingletons?: number;
    /** Each resample's a and b (6 significant digits), so a difference between two fits gets an interval (src/fit/compare.ts). */
    draws?: { a?: number[]; b?: number[] };
  };
  /** How the allocation laws weighted the budgets' optima: 'none', or 'bootstrap' (1/σ² of each optimum's bootstrap spread). */
  optimaWeights?: { kind: 'none' | 'bootstrap'; weights?: number[] };
  /** The pure power law L(C) = A·C^(−γ) through the same optima (laws.loss holds the offset form when it could be fitted). */
  lossPower?: LossLaw;
  /** Approach 2 refitted with other parabola windows (window 0 = auto) and with the other optimum method (`method` set). */
  windowStability?: { window: number; a: number; b: number; method?: 'parabola' | 'spline' }[];
  /** The noise budget (src/fit/noise.ts): pooled seed σ of replicas vs the IsoFLOP parabolas' residual σ, in loss units. */
  noise?: { seedSd?: number; seedDof: number; groups: number; residualSd?: number; residualDof: number; gridSd?: number; seedShare?: number; verdict: string };
  /** Bootstrap percentile bands of the fitted curves over compute (at the file's ciLevel), for reports. */
  bands?: { scale?: { compute: number; lo: number; hi: number }[]; data?: { compute: number; lo: number; hi: number }[]; loss?: { compute: number; lo: number; hi: number }[] };
  [extra: string]: unknown;
}

function parsePowerLaw(v: unknown, field: string, file?: string): PowerLaw {
  const o = requireObject(v, field, file);
  const law: PowerLaw = {
    coefficient: requireNumber(o.coefficient, `${field}.coefficient`, file, { positive: true }),
    exponent: requireNumber(o.exponent, `${field}.exponent`, file),
  };
  if (o.ci !== undefined) {
    const ci = requireObject(o.ci, `${field}.ci`, file);
    law.ci = { coefficient: parseInterval(ci.coefficient, `${field}.ci.coefficient`, file), exponent: parseInterval(ci.exponent, `${field}.ci.exponent`, file) };
  }
  if (o.r2 !== undefined) law.r2 = requireNumber(o.r2, `${field}.r2`, file);
  Object.assign(law, parseSupport(o, field, file));
  return law;
}

/** `supported` (boolean) and `reasons` (strings) of a law, when present. */
function parseSupport(o: Record<string, unknown>, field: string, file?: string): { supported?: boolean; reasons?: string[] } {
  const out: { supported?: boolean; reasons?: string[] } = {};
  if (o.supported !== undefined) {
    if (typeof o.supported !== 'boolean') throw new InputError(`expected true or false, got ${JSON.stringify(o.supported)}`, { file, field: `${field}.supported` });
    out.supported = o.supported;
  }
  if (o.reasons !== undefined) {
    if (!Array.isArray(o.reasons) || !o.reasons.every((r) => typeof r === 'string')) throw new InputError('expected an array of strings', { file, field: `${field}.reasons` });
    out.reasons = o.reasons as string[];
  }
  return out;
}

function parseInterval(v: unknown, field: string, file?: string): Interval {
  if (!Array.isArray(v) || v.length !== 2) throw new InputError('expected [lo, hi]', { file, field });
  return [requireNumber(v[0], `${field}[0]`, file), requireNumber(v[1], `${field}[1]`, file)];
}

function parseLossLaw(v: unknown, field: string, file?: string): LossLaw {
  const o = requireObject(v, field, file);
  if (o.form !== 'offset-power' && o.form !== 'power') throw new InputError(`form must be 'offset-power' or 'power', got ${JSON.stringify(o.form)}`, { file, field: `${field}.form` });
  const law: LossLaw = {
    form: o.form,
    E: requireNumber(o.E, `${field}.E`, file, { min: 0 }),
    A: requireNumber(o.A, `${field}.A`, file, { positive: true }),
    gamma: requireNumber(o.gamma, `${field}.gamma`, file),
  };
  if (o.ci !== undefined) {
    const ci = requireObject(o.ci, `${field}.ci`, file);
    law.ci = { E: parseInterval(ci.E, `${field}.ci.E`, file), A: parseInterval(ci.A, `${field}.ci.A`, file), gamma: parseInterval(ci.gamma, `${field}.ci.gamma`, file) };
  }
  Object.assign(law, parseSupport(o, field, file));
  return law;
}

/** Validates a parsed laws JSON object; every problem names the file and the field path. */
export function validateLaws(raw: unknown, file?: string): LawsFile {
  const o = requireObject(raw, '(root)', file);
  if (o.schema !== LAWS_SCHEMA) throw new InputError(`expected "${LAWS_SCHEMA}", got ${JSON.stringify(o.schema)}`, { file, field: 'schema' });
  if (o.version !== LAWS_VERSION) throw new InputError(`unsupported version ${JSON.stringify(o.version)} (this tool reads ${LAWS_VERSION})`, { file, field: 'version' });
  const name = requireString(o.name, 'name', file);
  const dataset = requireString(o.dataset, 'dataset', file);
  if (o.representation !== 'M' && o.representation !== '6N1' && o.representation !== '6N2') {
    throw new InputError(`must be "M", "6N1" or "6N2", got ${JSON.stringify(o.representation)}`, { file, field: 'representation' });
  }
  const units = requireObject(o.units, 'units', file);
  const lawsRaw = requireObject(o.laws, 'laws', file);
  const laws: LawsFile['laws'] = {};
  for (const k of ['scale', 'data', 'lr', 'batch'] as const) if (lawsRaw[k] !== undefined) laws[k] = parsePowerLaw(lawsRaw[k], `laws.${k}`, file);
  if (lawsRaw.loss !== undefined) laws.loss = parseLossLaw(lawsRaw.loss, 'laws.loss', file);
  const prov = requireObject(o.provenance, 'provenance', file);
  requireString(prov.source, 'provenance.source', file);
  requireString(prov.created, 'provenance.created', file);
  requireString(prov.method, 'provenance.method', file);
  if (o.ciLevel !== undefined) requireNumber(o.ciLevel, 'ciLevel', file);
  if (o.details !== undefined) {
    const d = requireObject(o.details, 'details', file);
    if (!Array.isArray(d.optima)) throw new InputError('expected an array', { file, field: 'details.optima' });
    if (!Array.isArray(d.points)) throw new InputError('expected an array', { file, field: 'details.points' });
    // Reports and `fit --predict` read these entries field by field: a null or a non-number is named here, not a TypeError later.
    d.optima.forEach((x: unknown, i: number) => {
      const f = `details.optima[${i}]`;
      const op = requireObject(x, f, file);
      requireNumber(op.budget, `${f}.budget`, file, { positive: true });
      // A dropped budget (fewer than 3 scales) has no optimum: the fitter writes NaN, i.e. null in JSON.
      for (const k of ['scaleOpt', 'dataOpt', 'lossOpt']) if (!(op.dropped === true && op[k] === null)) requireNumber(op[k], `${f}.${k}`, file);
      for (const k of ['points', 'usedPoints']) if (op[k] !== undefined) requireNumber(op[k], `${f}.${k}`, file, { integer: true, min: 0 });
      if (op.warnings !== undefined && !Array.isArray(op.warnings)) throw new InputError('expected an array', { file, field: `${f}.warnings` });
    });
    d.points.forEach((x: unknown, i: number) => {
      const f = `details.points[${i}]`;
      const pt = requireObject(x, f, file);
      for (const k of ['budget', 'compute', 'scale', 'tokens']) requireNumber(pt[k], `${f}.${k}`, file, { positive: true });
      requireNumber(pt.loss, `${f}.loss`, file);
    });
    if (d.warnings !== undefined && !Array.isArray(d.warnings)) throw new InputError('expected an array', { file, field: 'details.warnings' });
  }
  return {
    ...(o as object),
    schema: LAWS_SCHEMA,
    version: LAWS_VERSION,
    name,
    dataset,
    representation: o.representation,
    units: units as LawsFile['units'],
    laws,
    provenance: prov as unknown as LawsProvenance,
  } as LawsFile;
}

export function readLaws(file: string): LawsFile {
  return validateLaws(readJsonFile(file, 'laws file'), file);
}

export function writeLaws(file: string, laws: LawsFile): void {
  writeJsonFile(file, laws);
}

/** y = k·C^e. */
export function evalPowerLaw(law: PowerLaw, compute: number): number {
  return law.coefficient * Math.pow(compute, law.exponent);
}

/** L(C) = E + A·C^(−γ). */
export function evalLossLaw(law: LossLaw, compute: number): number {
  return (law.form === 'power' ? 0 : law.E) + law.A * Math.pow(compute, -law.gamma);
}
