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
}

/** Loss against compute through the budgets' optimal losses: L(C) = E + A·C^(−γ) ('offset-power') or A·C^(−γ) ('power', E = 0). */
export interface LossLaw {
  form: 'offset-power' | 'power';
  E: number;
  A: number;
  gamma: number;
  ci?: { E: Interval; A: Interval; gamma: Interval };
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
}

export interface FitDetails {
  optima: BudgetOptimum[];
  points: FitPoint[];
  warnings: string[];
  approach1?: { scale: PowerLaw; data: PowerLaw; envelope: { compute: number; loss: number; scale: number }[] };
  approach3?: { E: number; A: number; B: number; alpha: number; beta: number; a: number; b: number; G: number; objective: number; scaleVariable: 'N' | 'M'; ci?: Record<string, Interval>; starts?: number; points?: number };
  representations?: { representation: Representation; scale: PowerLaw; data: PowerLaw; loss?: LossLaw; predictions?: Prediction[] }[];
  hyper?: { threshold: number; nearOptimal: FitPoint[]; form: 'compute' | 'steplaw'; stepLaw?: Record<string, number> };
  predictions?: Prediction[];
  backtest?: { heldOut: number[]; rows: { budget: number; lossPred: number; lossTrue: number; lossErr: number; scalePred: number; scaleTrue: number; scaleErr: number }[] };
  bootstrap?: { resamples: number; seed: number; level: number; failures?: Record<string, number>; seconds?: number };
  /** The pure power law L(C) = A·C^(−γ) through the same optima (laws.loss holds the offset form when it could be fitted). */
  lossPower?: LossLaw;
  windowStability?: { window: number; a: number; b: number }[];
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
  return law;
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
