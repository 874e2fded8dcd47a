// The settings that cross stage boundaries, each defined once here: its allowed values, its default and its validator.
// The CLI builds its flag choices and defaults from these, the experiment file composes them, workers and provenance carry them.
import { InputError } from '../util/errors.ts';

type Where = { file?: string; line?: number; field?: string };

/** Edit distance (for "did you mean"). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

/** The closest of `known` to `v` when it is a plausible typo (distance ≤ 2, or a unique prefix), else undefined. */
export function didYouMean(v: string, known: readonly string[]): string | undefined {
  const lower = v.toLowerCase();
  const prefix = known.filter((k) => k.toLowerCase().startsWith(lower));
  if (lower.length > 0 && prefix.length === 1) return prefix[0];
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const dist = editDistance(lower, k.toLowerCase());
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best;
}

/** `v` when it is one of `allowed`, else an InputError naming `where` and listing the choices (with a suggestion). */
export function oneOf<T extends string>(allowed: readonly T[], v: unknown, where: Where, what = 'value'): T {
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  const hint = typeof v === 'string' ? didYouMean(v, allowed) : undefined;
  throw new InputError(`unknown ${what} ${JSON.stringify(v)} (choices: ${allowed.join(', ')})${hint ? `; did you mean '${hint}'?` : ''}`, where);
}

// ── Learning-rate schedules (paper §2.2) ─────────────────────────────────────────────────────────────────────────────────────
export const SCHEDULES = ['multistep', 'cosine', 'constant'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];
export const DEFAULT_SCHEDULE: ScheduleName = 'multistep';
export const parseSchedule = (v: unknown, where: Where): ScheduleName => oneOf(SCHEDULES, v, where, 'schedule');

// ── Warm-up rule ────────────────────────────────────────────────────────────────────────────────────────────────────────────
/** 'auto' = min(2000, 5% of steps); a step count ('200'); or a share of the run ('2%', at most 100%). */
export const DEFAULT_WARMUP = 'auto';
export function parseWarmup(v: unknown, where: Where): string {
  const s = typeof v === 'number' ? String(v) : v;
  if (s === 'auto') return s;
  if (typeof s === 'string' && /^\d+$/.test(s)) return s;
  if (typeof s === 'string' && /^(\d+(\.\d*)?|\.\d+)%$/.test(s)) {
    if (Number(s.slice(0, -1)) > 100) throw new InputError(`a warm-up share cannot exceed 100%, got '${s}'`, where);
    return s;
  }
  throw new InputError(`expected 'auto', a whole number of steps or a percentage like '2%', got ${JSON.stringify(v)}`, where);
}

// ── TensorFlow.js backends of the trainer ───────────────────────────────────────────────────────────────────────────────────
/** auto: tfjs-node-gpu → tfjs-node → wasm; wasm: our kernels on the wasm backend; cpu: the pure-JS reference; node/node-gpu: tfjs-node(-gpu). */
export const BACKENDS = ['auto', 'wasm', 'cpu', 'node', 'node-gpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const DEFAULT_BACKEND: BackendName = 'auto';
export const parseBackend = (v: unknown, where: Where): BackendName => oneOf(BACKENDS, v, where, 'backend');

// ── Bundled datasets (src/data/corpora.ts builds them) ──────────────────────────────────────────────────────────────────────
export const DATASETS = ['curated', 'noisy'] as const;
export type DatasetName = (typeof DATASETS)[number];
export const DEFAULT_DATASET: DatasetName = 'curated';
export const parseDataset = (v: unknown, where: Where): DatasetName => oneOf(DATASETS, v, where, 'dataset');

// ── Training defaults ───────────────────────────────────────────────────────────────────────────────────────────────────────
export const TRAIN_DEFAULTS = {
  backend: DEFAULT_BACKEND,
  /** Seconds between periodic checkpoints (also written at the end and on a stop). */
  checkpointEvery: 300,
  /** Validation evaluations per run (the last on the whole held-out set). */
  evals: 10,
  /** ≈ Bytes of val.bin for the intermediate evaluations (the final one uses all of it). */
  evalBytes: 32 * 1024,
} as const;

// ── Fit defaults ────────────────────────────────────────────────────────────────────────────────────────────────────────────
export const FIT_DEFAULTS = {
  /** Approach 2 window (0 = auto). */
  window: 0,
  /** Near-optimal runs: loss ≤ (1 + threshold) × the budget's best (paper §3.1: 0.25%). */
  hyperThreshold: 0.0025,
  bootstrap: 1000,
  seed: 1,
  ciLevel: 0.95,
  /** Targets `scaling run` predicts. */
  predict: ['7b', '67b'] as readonly string[],
} as const;
