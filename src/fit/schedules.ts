// Final losses per schedule (paper §2.2, Fig. 1; docs/ladder.md): finished runs grouped by shape, schedule, stage ratios and tokens
// with their seed spread, and same-seed (paired) differences: multi-step − cosine (Fig. 1a), each stage ratio − 80/10/10 (Fig. 1b).
import { finalRow, groupRuns, type RunRow } from '../schema/runs.ts';
import { DEFAULT_STAGES, type ScheduleName } from '../schema/settings.ts';

export const SCHEDULES_SCHEMA = 'scaling.schedules';
/** What the losses are: our run CSVs' val_bpb on the whole validation set (the final row). */
export const SCHEDULE_UNITS = 'bits-per-byte';

/** Mean, sample standard deviation (n − 1; null below 2 seeds), and range over seeds. */
export interface SeedStats {
  n: number;
  mean: number;
  sd: number | null;
  min: number;
  max: number;
}

export interface ScheduleGroup {
  dataset: string;
  /** 'L2-d24' */
  shape: string;
  schedule: ScheduleName;
  /** Multi-step stage ratios ('' for other schedules). */
  stages: string;
  /** 'multi-step 80/10/10', 'cosine' … */
  label: string;
  tokens: number;
  budget: number;
  runs: { id: string; seed: number; loss: number }[];
  loss: SeedStats;
}

/** `label` − `reference` over the seeds both have, per seed and summarised (negative: `label` ends lower). */
export interface PairedDifference {
  dataset: string;
  shape: string;
  tokens: number;
  label: string;
  reference: string;
  perSeed: { seed: number; diff: number }[];
  diff: SeedStats;
}

export interface ScheduleSummary {
  schema: typeof SCHEDULES_SCHEMA;
  version: 1;
  units: typeof SCHEDULE_UNITS;
  groups: ScheduleGroup[];
  /** Fig. 1a: multi-step 80/10/10 − cosine, per shape and tokens. */
  schedules: PairedDifference[];
  /** Fig. 1b: every other stage ratio − 80/10/10, per shape and tokens. */
  stages: PairedDifference[];
}

/** The stage ratios of a row: its column, or the paper's 80/10/10 for a multistep run written before the column existed. */
export function rowStages(r: Pick<RunRow, 'schedule' | 'stages'>): string {
  return r.schedule === 'multistep' ? r.stages || DEFAULT_STAGES : '';
}

export function scheduleLabel(schedule: ScheduleName, stages: string): string {
  return schedule === 'multistep' ? `multi-step ${stages || DEFAULT_STAGES}` : schedule;
}

export const MULTISTEP_LABEL = scheduleLabel('multistep', DEFAULT_STAGES);

export function seedStats(values: number[]): SeedStats {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = n < 2 ? null : Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  return { n, mean, sd, min: Math.min(...values), max: Math.max(...values) };
}

/** Label order: the paper's multi-step first, other stage ratios by their first share, then the other schedules. */
function labelRank(g: Pick<ScheduleGroup, 'schedule' | 'stages'>): [number, number, string] {
  if (g.schedule !== 'multistep') return [2, 0, g.schedule];
  return g.stages === DEFAULT_STAGES ? [0, 0, ''] : [1, Number(g.stages.split('/')[0]), g.stages];
}

/** Groups the finished runs (last row done) by dataset, shape, schedule, stage ratios and tokens; diverged and unfinished runs are left out. */
export function summarizeSchedules(rows: RunRow[]): ScheduleSummary {
  const groups = new Map<string, ScheduleGroup>();
  for (const runRows of groupRuns(rows).values()) {
    const last = finalRow(runRows);
    if (!last || !Number.isFinite(last.val_bpb)) continue;
    const stages = rowStages(last);
    const shape = `L${last.n_layer}-d${last.d_model}`;
    const key = JSON.stringify([last.dataset, shape, last.d_ff, last.n_heads, last.batch_tokens, last.lr_max, last.schedule, stages, last.tokens]);
    const g = groups.get(key) ?? { dataset: last.dataset, shape, schedule: last.schedule, stages, label: scheduleLabel(last.schedule, stages), tokens: last.tokens, budget: last.budget, runs: [], loss: seedStats([NaN]) };
    g.runs.push({ id: last.run_id, seed: last.seed, loss: last.val_bpb });
    groups.set(key, g);
  }
  const list = [...groups.values()];
  for (const g of list) {
    g.runs.sort((a, b) => a.seed - b.seed || a.id.localeCompare(b.id));
    g.loss = seedStats(g.runs.map((r) => r.loss));
  }
  list.sort((a, b) => {
    const [ra, rb] = [labelRank(a), labelRank(b)];
    return a.dataset.localeCompare(b.dataset) || a.shape.localeCompare(b.shape) || ra[0] - rb[0] || ra[1] - rb[1] || ra[2].localeCompare(rb[2]) || a.tokens - b.tokens;
  });
  const paired = (label: (g: ScheduleGroup) => boolean, reference: (g: ScheduleGroup) => boolean): PairedDifference[] => {
    const out: PairedDifference[] = [];
    for (const g of list.filter(label)) {
      const ref = list.find((r) => reference(r) && r.dataset === g.dataset && r.shape === g.shape && r.tokens === g.tokens);
      if (!ref) continue;
      const perSeed = g.runs.flatMap((r) => {
        const other = ref.runs.find((x) => x.seed === r.seed);
        return other ? [{ seed: r.seed, diff: r.loss - other.loss }] : [];
      });
      if (perSeed.length) out.push({ dataset: g.dataset, shape: g.shape, tokens: g.tokens, label: g.label, reference: ref.label, perSeed, diff: seedStats(perSeed.map((d) => d.diff)) });
    }
    return out;
  };
  const isPaperMultistep = (g: ScheduleGroup) => g.schedule === 'multistep' && g.stages === DEFAULT_STAGES;
  return {
    schema: SCHEDULES_SCHEMA,
    version: 1,
    units: SCHEDULE_UNITS,
    groups: list,
    schedules: paired(isPaperMultistep, (g) => g.schedule === 'cosine'),
    stages: paired((g) => g.schedule === 'multistep' && g.stages !== DEFAULT_STAGES, isPaperMultistep),
  };
}

const f4 = (x: number) => x.toFixed(4);
const tok = (x: number) => x.toExponential(2).replace('e+', 'e');
/** 'mean ± sd (n seeds, range lo…hi)' — the spread is always printed with the value. */
export function formatStats(s: SeedStats, signed = false): string {
  const m = signed && s.mean >= 0 ? `+${f4(s.mean)}` : f4(s.mean);
  return s.sd === null ? `${m} (1 seed: no spread)` : `${m} ± ${f4(s.sd)} (sd of ${s.n} seeds, range ${f4(s.min)}…${f4(s.max)})`;
}

/** The lines `scaling run` prints for a ladder study. */
export function formatScheduleSummary(s: ScheduleSummary): string[] {
  const lines: string[] = [];
  for (const g of s.groups) lines.push(`${g.dataset} ${g.shape} D = ${tok(g.tokens)}  ${g.label.padEnd(20)} ${formatStats(g.loss)} ${s.units}`);
  for (const d of [...s.schedules, ...s.stages]) lines.push(`${d.dataset} ${d.shape} D = ${tok(d.tokens)}  ${d.label} − ${d.reference}: ${formatStats(d.diff, true)} (same seeds)`);
  return lines;
}
