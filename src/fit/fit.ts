// The fitter's orchestrator: observations → approach 2 (optima, allocation laws), loss curve, hyperparameter laws, approach 3,
// approach 1, representations, window stability, predictions, backtest and bootstrap intervals → one LawsFile with FitDetails.
import { PRESETS, presetCompute } from '../flops/presets.ts';
import { DEFAULT_REPRESENTATION } from '../flops/flops.ts';
import { FIT_DEFAULTS } from '../schema/settings.ts';
import { readFileSync } from 'node:fs';
import { InputError } from '../util/errors.ts';
import { LAWS_SCHEMA, LAWS_VERSION, type FitDetails, type Interval, type LawsFile, type LossLaw, type PowerLaw, type Prediction } from '../schema/laws.ts';
import { sha256 } from '../util/hash.ts';
import type { FitOptions, Observation } from './types.ts';
import { approach2 } from './approach2.ts';
import { fitLossCurve, fitLossPower, type LossFit } from './losscurve.ts';
import { fitHyper, toFitPoint, type HyperResult } from './hyper.ts';
import { a3Data, fitApproach3 } from './approach3.ts';
import { approach1 } from './approach1.ts';
import { compareRepresentations } from './representations.ts';
import { parseTargets, predictOne } from './predict.ts';
import { backtest } from './backtest.ts';
import { runBootstrap, type BootstrapResult } from './bootstrap.ts';

export const DEFAULT_FIT_OPTIONS: FitOptions = {
  dataset: 'unnamed',
  name: 'fit',
  representation: DEFAULT_REPRESENTATION,
  lossUnits: 'bits-per-byte',
  window: FIT_DEFAULTS.window,
  hyperThreshold: FIT_DEFAULTS.hyperThreshold,
  hyperForm: 'compute',
  bootstrap: FIT_DEFAULTS.bootstrap,
  seed: FIT_DEFAULTS.seed,
  ciLevel: FIT_DEFAULTS.ciLevel,
  holdoutLargest: 0,
  predict: [],
  approach3: true,
  approach3Scale: 'M',
};

/** Optional callbacks for long fits (the CLI draws a progress bar from them). */
export interface FitHooks {
  progress?: (stage: 'approach3' | 'bootstrap', done: number, total: number) => void;
}

const TOOL_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

/** sha256 over the observations' fitted fields, sorted, so the same data gives the same hash in any order. */
export function dataHash(obs: Observation[]): string {
  const lines = obs.map((o) => [o.runId, o.budget, o.scale, o.tokens, o.loss, o.lr ?? '', o.batchTokens ?? '', o.params ?? ''].join('|')).sort();
  return sha256(lines.join('\n'));
}

/** Compute grid for the curves' bootstrap bands: 41 log-spaced points from the smallest budget to the 67B's compute (or the largest budget). */
export function bandGrid(budgets: number[]): number[] {
  if (budgets.length === 0) return [];
  const lo = Math.log10(Math.min(...budgets));
  const hi = Math.log10(Math.max(...budgets, presetCompute(PRESETS['67b'])));
  return Array.from({ length: 41 }, (_, i) => 10 ** (lo + ((hi - lo) * i) / 40));
}

/** Window sizes tried for the stability table: auto (0), 3, 5, 7, 9, 11, 15 and all points, up to the largest budget's scale count. */
function stabilityWindows(maxScales: number): number[] {
  const ws = [0, ...[3, 5, 7, 9, 11, 15].filter((w) => w < maxScales), maxScales];
  return [...new Set(ws)];
}

function withCi(law: PowerLaw | undefined, key: string, b?: BootstrapResult): PowerLaw | undefined {
  if (!law) return undefined;
  const e = b?.intervals[`${key}.exponent`];
  const c = b?.intervals[`${key}.coefficient`];
  return e && c ? { ...law, ci: { coefficient: c, exponent: e } } : law;
}

function lossWithCi(law: LossLaw | undefined, key: string, b?: BootstrapResult): LossLaw | undefined {
  if (!law) return undefined;
  const E = b?.intervals[`${key}.E`];
  const A = b?.intervals[`${key}.A`];
  const g = b?.intervals[`${key}.gamma`];
  return A && g ? { ...law, ci: { E: E ?? [law.E, law.E], A, gamma: g } } : law;
}

/** Fits everything the observations support; warnings (never silence) go to details.warnings. Throws InputError on no data. */
export function fitObservations(obs: Observation[], opts: FitOptions, hooks: FitHooks = {}): LawsFile {
  if (obs.length === 0) throw new InputError('no observations to fit', { field: 'runs' });
  for (const o of obs) {
    if (!(o.scale > 0 && o.tokens > 0 && o.loss > 0 && o.budget > 0)) {
      throw new InputError(`scale, tokens, loss and budget must be > 0 (got scale ${o.scale}, tokens ${o.tokens}, loss ${o.loss}, budget ${o.budget})`, { file: o.source.file, line: o.source.line });
    }
  }
  const warnings: string[] = [];
  const targets = parseTargets(opts.predict);

  // 1. Approach 2: per-budget optima and the allocation laws (paper Eq. 4).
  const a2 = approach2(obs, { window: opts.window });
  warnings.push(...a2.warnings);
  const usedIdx = a2.optima.map((o, i) => (o.dropped ? -1 : i)).filter((i) => i >= 0);
  const Cs = usedIdx.map((i) => a2.optima[i].budget);
  const Ls = usedIdx.map((i) => a2.optima[i].lossOpt);

  // 2. Loss curve through the optima: L(C) = E + A·C^(−γ) and the pure power law.
  const lossFit: LossFit | undefined = Cs.length >= 3 ? fitLossCurve(Cs, Ls) : undefined;
  const lossPowerFit = Cs.length >= 2 ? fitLossPower(Cs, Ls) : undefined;
  if (Cs.length >= 3 && !lossFit) warnings.push('loss curve: L(C) = E + A·C^(−γ) could not be fitted');
  if (Cs.length < 3 && Cs.length >= 2) warnings.push('loss curve: fewer than 3 budgets, only the pure power law is fitted');
  const mainLoss = lossFit?.law ?? lossPowerFit?.law;

  // 3. Hyperparameter laws (paper Eq. 1) when runs carry learning rates or batch sizes.
  let hyper: HyperResult | undefined;
  if (obs.some((o) => o.lr !== undefined || o.batchTokens !== undefined)) {
    hyper = fitHyper(obs, opts.hyperThreshold, opts.hyperForm);
    warnings.push(...hyper.warnings);
  }

  // 4. Approach 3 on every run, rows in the order of the prepared budgets (the bootstrap resamples them per budget).
  const a3obs = a2.prepared.flatMap((p) => p.obs);
  const a3 = opts.approach3 ? fitApproach3(a3obs, opts.approach3Scale, undefined, (d, t) => hooks.progress?.('approach3', d, t)) : undefined;
  if (opts.approach3 && !a3) warnings.push(a3obs.length < 5 ? 'approach 3: fewer than 5 runs, not fitted' : 'approach 3: no start of the grid converged to positive exponents');

  // 5. Approach 1 (training curves), 6. representations, 7. window stability.
  const a1 = approach1(obs);
  if (a1) warnings.push(...a1.warnings);
  const reps = compareRepresentations(obs, opts.window, targets.length ? targets : parseTargets(['7b', '67b']));
  warnings.push(...reps.warnings);
  const maxScales = Math.max(...a2.prepared.map((p) => p.scales.length));
  const windowStability: NonNullable<FitDetails['windowStability']> = [];
  if (a2.scale && maxScales > 3) {
    for (const w of stabilityWindows(maxScales)) {
      const r = w === opts.window ? a2 : approach2(obs, { window: w });
      if (r.scale && r.data) windowStability.push({ window: w, a: r.scale.exponent, b: r.data.exponent });
    }
    const as = windowStability.filter((s) => s.window === 0 || s.window >= 5).map((s) => s.a);
    const spread = Math.max(...as) - Math.min(...as);
    if (spread > 0.05) warnings.push(`window stability: a varies by ${spread.toFixed(3)} across windows of ≥ 5 points (see windowStability)`);
  }

  // 8. Backtest.
  const bt = backtest(a2.optima, opts.holdoutLargest);
  warnings.push(...bt.warnings);

  // 9. Bootstrap.
  let boot: BootstrapResult | undefined;
  let bootSeconds = 0;
  if (opts.bootstrap > 0 && (usedIdx.length >= 2 || hyper?.lr || hyper?.batch || a3)) {
    const t0 = performance.now();
    boot = runBootstrap({
      prepared: a2.prepared,
      used: a2.optima.map((o) => !o.dropped),
      allocation: !!a2.scale,
      lossWarm: lossFit,
      hyper: hyper ? { threshold: opts.hyperThreshold, lr: !!hyper.lr, batch: !!hyper.batch } : undefined,
      a3: a3 ? { fit: a3, data: a3Data(a3obs, opts.approach3Scale) } : undefined,
      targets,
      representation: opts.representation,
      resamples: opts.bootstrap,
      seed: opts.seed,
      level: opts.ciLevel,
      progress: (d, t) => hooks.progress?.('bootstrap', d, t),
      bandComputes: bandGrid(a2.optima.filter((o) => !o.dropped).map((o) => o.budget)),
    });
    bootSeconds = (performance.now() - t0) / 1000;
    const failed = Object.entries(boot.failures).filter(([, n]) => n > 0);
    if (failed.length) {
      const worst = failed.sort((p, q) => q[1] - p[1])[0];
      warnings.push(`bootstrap: ${failed.length} quantit${failed.length === 1 ? 'y' : 'ies'} undefined in some resamples (worst: ${worst[0]} in ${worst[1]} of ${boot.resamples}); intervals use the rest`);
    }
  } else if (opts.bootstrap > 0) warnings.push('bootstrap: nothing to resample (fewer than 2 usable budgets, no hyperparameter laws, no approach 3): no intervals');

  // Assemble.
  const laws: LawsFile['laws'] = {};
  const scale = withCi(a2.scale, 'scale', boot);
  const data = withCi(a2.data, 'data', boot);
  if (scale) laws.scale = scale;
  if (data) laws.data = data;
  const lr = withCi(hyper?.lr, 'lr', boot);
  const batch = withCi(hyper?.batch, 'batch', boot);
  if (lr) laws.lr = lr;
  if (batch) laws.batch = batch;
  const loss = lossFit ? lossWithCi(lossFit.law, 'loss', boot) : lossWithCi(lossPowerFit?.law, 'lossPower', boot);
  if (loss) laws.loss = loss;

  const optima = a2.optima.map((o, i) => {
    const s = boot?.intervals[`budget.${i}.scaleOpt`];
    const l = boot?.intervals[`budget.${i}.lossOpt`];
    return s || l ? { ...o, ci: { ...(s ? { scaleOpt: s } : {}), ...(l ? { lossOpt: l } : {}) } } : o;
  });
  const near = new Set(hyper?.nearOptimal ?? []);
  const predictions: Prediction[] = [];
  targets.forEach((t, k) => {
    const p = predictOne(t, { scale: a2.scale, loss: mainLoss, lr: hyper?.lr, batch: hyper?.batch }, opts.representation);
    if (!p) {
      warnings.push(`prediction ${t.label}: no allocation law to predict from`);
      return;
    }
    const iv = (key: string): Interval | undefined => boot?.intervals[`pred.${k}.${key}`];
    if (p.loss !== undefined && iv('loss')) p.lossInterval = iv('loss');
    if (t.kind === 'budget' && iv('scale')) p.scaleInterval = iv('scale');
    if (t.kind === 'budget' && iv('tokens')) p.tokensInterval = iv('tokens');
    if (p.lr !== undefined && iv('lr')) p.lrInterval = iv('lr');
    if (p.batchTokens !== undefined && iv('batch')) p.batchInterval = iv('batch');
    predictions.push(p);
  });

  const details: FitDetails = {
    optima,
    points: obs.map((o) => toFitPoint(o, hyper ? near.has(o) : undefined)),
    warnings,
  };
  if (lossPowerFit) details.lossPower = lossWithCi(lossPowerFit.law, 'lossPower', boot);
  if (a1) details.approach1 = { scale: a1.scale, data: a1.data, envelope: a1.envelope };
  if (a3) {
    const ci: Record<string, Interval> = {};
    for (const k of ['E', 'A', 'B', 'alpha', 'beta', 'a', 'b', 'G']) if (boot?.intervals[`a3.${k}`]) ci[k] = boot.intervals[`a3.${k}`];
    details.approach3 = {
      E: a3.E, A: a3.A, B: a3.B, alpha: a3.alpha, beta: a3.beta, a: a3.a, b: a3.b, G: a3.G, objective: a3.objective, scaleVariable: a3.scaleVariable,
      starts: a3.starts, points: a3obs.length, ...(Object.keys(ci).length ? { ci } : {}),
    };
  }
  if (reps.entries?.length) details.representations = reps.entries;
  if (hyper) details.hyper = { threshold: hyper.threshold, nearOptimal: hyper.nearOptimal.map((o) => toFitPoint(o, true)), form: opts.hyperForm, ...(hyper.stepLaw ? { stepLaw: { ...hyper.stepLaw } } : {}) };
  if (predictions.length) details.predictions = predictions;
  if (bt.result) details.backtest = bt.result;
  if (boot && Object.keys(boot.bands).length) details.bands = boot.bands;
  if (boot) details.bootstrap = { resamples: boot.resamples, seed: opts.seed, level: opts.ciLevel, failures: boot.failures, seconds: Number(bootSeconds.toFixed(3)) };
  if (windowStability.length) details.windowStability = windowStability;

  const method = [
    'IsoFLOP parabolas in log10 scale on a window around each budget minimum (Chinchilla approach 2), power laws by least squares in log space (paper Eq. 4)',
    mainLoss ? `loss curve ${mainLoss.form === 'offset-power' ? 'L = E + A·C^(−γ) by Levenberg–Marquardt' : 'L = A·C^(−γ) in log space'}` : undefined,
    hyper ? `hyperparameter laws through runs within ${opts.hyperThreshold} of each budget minimum (paper Eq. 1)` : undefined,
    a3 ? `approach 3 (Huber δ = 1e-3 on log residuals, BFGS from ${a3.starts} starts, scale ${a3.scaleVariable})` : undefined,
    boot ? `${Math.round(opts.ciLevel * 100)}% percentile bootstrap over runs within budgets (${boot.resamples} resamples)` : undefined,
  ].filter(Boolean).join('; ');

  return {
    schema: LAWS_SCHEMA,
    version: LAWS_VERSION,
    name: opts.name,
    dataset: opts.dataset,
    representation: opts.representation,
    units: { compute: 'FLOPs', scale: 'FLOPs/token', data: 'tokens', batch: 'tokens', loss: opts.lossUnits },
    ...(boot ? { ciLevel: opts.ciLevel } : {}),
    laws,
    provenance: {
      source: 'scaling fit',
      created: new Date().toISOString(),
      method,
      tool: `scaling ${TOOL_VERSION}`,
      dataHash: dataHash(obs),
      options: { ...opts },
      seed: opts.seed,
    },
    details,
  };
}
