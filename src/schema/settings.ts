// The settings that cross stage boundaries, each defined once here: its allowed values, its default and its validator.
// The CLI builds its flag choices and defaults from these, the experiment file composes them, workers and provenance carry them.
import { InputError } from '../util/errors.ts';
import { parseTargets } from '../flops/targets.ts';

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

// ── Multi-step stage ratios (paper §2.2, Fig. 1b) ───────────────────────────────────────────────────────────────────────────
/** Shares of the tokens trained at 100%, 31.6% and 10% of the peak LR: the paper's 80/10/10 and the two it compares in Fig. 1b. */
export const MULTISTEP_STAGES = ['80/10/10', '70/15/15', '90/5/5'] as const;
export const DEFAULT_STAGES = '80/10/10';
/** 'A/B/C': three positive percentages summing to 100 (any, not only MULTISTEP_STAGES); returned in canonical form ('80/10/10'). */
export function parseStages(v: unknown, where: Where): string {
  const parts = typeof v === 'string' ? v.split('/') : [];
  const nums = parts.map((p) => (/^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(p) ? Number(p) : NaN));
  if (nums.length !== 3 || nums.some((x) => !(x > 0))) {
    throw new InputError(`expected three positive percentages A/B/C (e.g. ${MULTISTEP_STAGES.join(', ')}), got ${JSON.stringify(v)}`, where);
  }
  const sum = nums[0] + nums[1] + nums[2];
  if (Math.abs(sum - 100) > 1e-9) throw new InputError(`the stages must sum to 100%, got ${sum} (${JSON.stringify(v)})`, where);
  return nums.join('/');
}

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
/**
 * auto: tfjs-node-gpu → tfjs-node → wasm-blas → wasm (the first that loads); wasm: our kernels on the wasm backend;
 * wasm-blas: the wasm backend with matmuls, attention, SwiGLU, RMSNorm, the loss and AdamW in the native OpenBLAS addon
 * (native/, `npm run build:native`); cpu: the pure-JS reference; node/node-gpu: tfjs-node(-gpu).
 */
export const BACKENDS = ['auto', 'wasm', 'wasm-blas', 'cpu', 'node', 'node-gpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const DEFAULT_BACKEND: BackendName = 'auto';
export const parseBackend = (v: unknown, where: Where): BackendName => oneOf(BACKENDS, v, where, 'backend');

// ── Bundled datasets (src/data/corpora.ts builds them) ──────────────────────────────────────────────────────────────────────
export const DATASETS = ['curated', 'noisy'] as const;
export type DatasetName = (typeof DATASETS)[number];
export const DEFAULT_DATASET: DatasetName = 'curated';
export const parseDataset = (v: unknown, where: Where): DatasetName => oneOf(DATASETS, v, where, 'dataset');

// ── Grid size ───────────────────────────────────────────────────────────────────────────────────────────────────────────────
/** Grid points per budget beyond which a plan is refused without --force (the paper uses ~10; 50 already costs 5× its compute). */
export const MAX_GRID_POINTS = 50;

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

// ── The model and optimizer of the paper (§2.1–2.2), shared by the trainer and the exports (src/export) ─────────────────────────
/** AdamW β1 0.9, β2 0.95, ε 1e-8, decoupled weight decay 0.1 (not on norm gains), global grad-norm clip 1.0 (paper §2.2). */
export const PAPER_OPTIMIZER_SETTINGS = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, clipNorm: 1.0 } as const;
/** The paper's init std (§2.2), used by DeepSeek for d ≥ 4096 models. */
export const PAPER_INIT_STD = 0.006;
/** Init std for small models (d < 512): measured better than 0.006 and 1/√d at d = 32 and comparable to 1/√d at d = 64 (docs/train-model.md). */
export const SMALL_MODEL_INIT_STD = 0.02;
/** Recommended init std for a width: the paper's 0.006 from d = 512 up, 0.02 below (see experiments/init-std.ts). */
export function initStdFor(s: { dModel: number }): number {
  return s.dModel >= 512 ? PAPER_INIT_STD : SMALL_MODEL_INIT_STD;
}
/** RMSNorm ε and RoPE base θ of the LLaMA architecture (DeepSeek LLM uses both). */
export const RMS_NORM_EPS = 1e-6;
export const ROPE_THETA = 10000;

// ── Fit defaults ────────────────────────────────────────────────────────────────────────────────────────────────────────────
export const FIT_DEFAULTS = {
  /** Approach 2 window (0 = auto). */
  window: 0,
  /** Near-optimal runs: loss ≤ (1 + threshold) × the budget's best (paper §3.1: 0.25%). */
  hyperThreshold: 0.0025,
  bootstrap: 1000,
  seed: 1,
  ciLevel: 0.95,
  /** Bootstrap scheme (src/fit/bootstrap.ts): 'cases' resamples runs, 'parametric' redraws losses around the fitted parabolas. */
  bootstrapScheme: 'cases' as 'cases' | 'parametric',
  /** Targets `scaling run` predicts. */
  predict: ['7b', '67b'] as readonly string[],
} as const;

// ── Targets of `scaling next` and of adaptive experiments (docs/next.md) ─────────────────────────────────────────────────────
/** What a proposal shrinks the 95% interval of: the exponents a, b; the loss at a target (7b, 67b, a budget, a shape); M_opt at a budget. */
export const NEXT_TARGET_FORMS = ['a', 'b', 'loss@7b', 'loss@C', 'M_opt@C'] as const;
export const DEFAULT_NEXT_TARGET = 'a';
export interface NextTargetSpec {
  /** As written, e.g. 'loss@7b', 'M_opt@1e21'. */
  spec: string;
  kind: 'a' | 'b' | 'loss' | 'scale';
  /** loss/scale: the prediction target as `--predict` takes it ('7b', '1e21', 'n_layer=…'). */
  at?: string;
}
/** 'a' | 'b' | 'loss@TARGET' (TARGET as --predict reads it) | 'M_opt@C' (C a compute budget); an InputError naming `where` otherwise. */
export function parseNextTarget(v: unknown, where: Where): NextTargetSpec {
  const s = typeof v === 'string' ? v.trim() : '';
  if (s === 'a' || s === 'b') return { spec: s, kind: s };
  const m = /^(loss|M_opt)@(.+)$/.exec(s);
  if (!m) {
    const hint = typeof v === 'string' ? didYouMean(v, NEXT_TARGET_FORMS) : undefined;
    throw new InputError(`unknown target ${JSON.stringify(v)} (choices: ${NEXT_TARGET_FORMS.join(', ')}; C a budget like 1e21)${hint ? `; did you mean '${hint}'?` : ''}`, where);
  }
  let targets;
  try {
    targets = parseTargets([m[2]]);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${JSON.stringify(s)}: ${e.message.replace(/^--predict: /, '')}`, where);
    throw e;
  }
  if (targets.length !== 1) throw new InputError(`${JSON.stringify(s)} names ${targets.length} targets; give one`, where);
  if (m[1] === 'M_opt' && targets[0].kind !== 'budget') throw new InputError(`M_opt@ needs a compute budget (e.g. M_opt@1e21): a shape's scale is fixed, got ${JSON.stringify(s)}`, where);
  return { spec: s, kind: m[1] === 'loss' ? 'loss' : 'scale', at: m[2] };
}
