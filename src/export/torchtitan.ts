// torchtitan export of a grid point: TOML job files ([job], [model], [optimizer], [lr_scheduler], [training], …) and the Llama 3
// TransformerModelArgs of the shape (model_args.json + model_args.py) — docs/export.md.
//
// Targets torchtitan's TOML job config (torchtitan/config/job_config.py of the v0.2 releases, read by
// `python -m torchtitan.train --job.config_file FILE`; newer torchtitan builds Trainer.Config in Python but keeps the
// --section.option flags, which take these same names). Its scheduler is warm-up → stable → decay (linear, sqrt or cosine to
// min_lr_factor; decay_ratio for WSD): it can express constant and cosine, not step drops. The multi-step schedule is exported
// as three jobs of constant LR resumed from checkpoints (docs/export.md says what that costs).
import { stringify } from 'smol-toml';
import { llamaMultipleOf, validateShape, type ModelShape } from '../flops/shape.ts';
import type { GridPoint, ShapeFamilySpec } from '../schema/plan.ts';
import { RMS_NORM_EPS, ROPE_THETA } from '../schema/settings.ts';
import { InputError } from '../util/errors.ts';
import { trainingSpec, type TrainingSpec } from './training.ts';

/** torchtitan's Llama FFN rule: hidden = int(2·(4·dim)/3), × ffn_dim_multiplier when set (int), rounded up to multiple_of. */
export function torchtitanFfn(dim: number, multipleOf: number, ffnDimMultiplier: number | null): number {
  let hidden = Math.floor((2 * (4 * dim)) / 3);
  if (ffnDimMultiplier !== null) hidden = Math.floor(ffnDimMultiplier * hidden);
  return multipleOf * Math.ceil(hidden / multipleOf);
}

/** multiple_of and ffn_dim_multiplier that make torchtitan build exactly d_ff (LLaMA's granule when it does, else the largest that does). */
export function torchtitanFfnParams(dim: number, dFf: number): { multiple_of: number; ffn_dim_multiplier: number | null } {
  for (const m of [llamaMultipleOf(dim), 1024, 512, 256, 128, 64, 32, 16, 8, 4, 2, 1]) if (torchtitanFfn(dim, m, null) === dFf) return { multiple_of: m, ffn_dim_multiplier: null };
  // d_ff below ⌊8/3·d⌋: scale the hidden size down to d_ff, then round up to d_ff itself.
  const hidden = Math.floor((8 * dim) / 3);
  const mult = dFf / hidden;
  if (torchtitanFfn(dim, dFf, mult) !== dFf) throw new Error(`cannot express d_ff ${dFf} for dim ${dim} in torchtitan's FFN rule`);
  return { multiple_of: dFf, ffn_dim_multiplier: mult };
}

/** The fields of torchtitan's llama3 TransformerModelArgs for a shape. */
export function torchtitanModelArgs(shape: ModelShape): Record<string, number | null> {
  return {
    dim: shape.dModel,
    n_layers: shape.nLayer,
    n_heads: shape.nHeads,
    n_kv_heads: shape.nKvHeads,
    vocab_size: shape.vocab,
    ...torchtitanFfnParams(shape.dModel, shape.dFf),
    norm_eps: RMS_NORM_EPS,
    rope_theta: ROPE_THETA,
    max_seq_len: shape.seqLen,
  };
}

/** The shape torchtitan builds from model args (its FFN rule applied) at sequence length `seqLen`. */
export function parseTorchtitanModelArgs(raw: unknown, seqLen: number, file?: string): ModelShape {
  const o = (raw ?? {}) as Record<string, unknown>;
  const int = (k: string) => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new InputError(`must be a positive integer, got ${JSON.stringify(v)}`, { file, field: k });
    return v;
  };
  const mult = o.ffn_dim_multiplier;
  if (mult !== null && mult !== undefined && typeof mult !== 'number') throw new InputError('must be a number or null', { file, field: 'ffn_dim_multiplier' });
  const dim = int('dim');
  const nHeads = int('n_heads');
  return validateShape({
    nLayer: int('n_layers'), dModel: dim, nHeads, nKvHeads: o.n_kv_heads === null || o.n_kv_heads === undefined ? nHeads : int('n_kv_heads'),
    dFf: torchtitanFfn(dim, int('multiple_of'), (mult as number | null | undefined) ?? null), seqLen, vocab: int('vocab_size'),
  }, { file });
}

/** The flavor name a point's model args are registered under. */
export function torchtitanFlavor(id: string): string {
  return `scaling-${id}`;
}

export interface TorchtitanJob {
  /** File name: job.toml (single phase) or phaseK.toml. */
  file: string;
  name: string;
  endStep: number;
  config: Record<string, unknown>;
}

/** The job files of a point: one for cosine/constant, one per constant-LR phase for multistep. */
export function torchtitanJobs(p: GridPoint, family: Pick<ShapeFamilySpec, 'tp' | 'pp'>): TorchtitanJob[] {
  const t = trainingSpec(p);
  const base = (steps: number, lr: number, scheduler: Record<string, unknown>, checkpoint: Record<string, unknown>) => ({
    job: { dump_folder: './outputs', description: `scaling grid point ${p.id}` },
    model: { name: 'llama3', flavor: torchtitanFlavor(p.id) },
    optimizer: { name: 'AdamW', lr, beta1: t.optimizer.beta1, beta2: t.optimizer.beta2, eps: t.optimizer.eps, weight_decay: t.optimizer.weightDecay },
    lr_scheduler: scheduler,
    training: { global_batch_size: t.globalBatch.sequences, local_batch_size: 1, seq_len: t.seqLen, max_norm: t.clipGradNorm, steps },
    parallelism: { tensor_parallel_degree: family.tp, pipeline_parallel_degree: family.pp, data_parallel_shard_degree: -1 },
    checkpoint: { enable: true, folder: 'checkpoint', interval: Math.max(1, Math.round(t.steps / 20)), last_save_model_only: false, ...checkpoint },
    debug: { seed: t.seed },
  });
  const s = t.schedule;
  if (s.name === 'cosine') {
    return [{ file: 'job.toml', name: 'cosine', endStep: t.steps, config: base(t.steps, t.peakLr, { warmup_steps: t.warmupSteps, decay_type: 'cosine', min_lr_factor: s.minFactor ?? 0.1 }, {}) }];
  }
  if (s.phases.length === 1) {
    return [{ file: 'job.toml', name: 'constant', endStep: t.steps, config: base(t.steps, t.peakLr, { warmup_steps: t.warmupSteps, decay_ratio: 0.0 }, {}) }];
  }
  return s.phases.map((ph, i) => ({
    file: `phase${i + 1}.toml`,
    name: `stage ${i + 1}: ${ph.lrFactor} × peak LR, steps ${ph.startStep}–${ph.endStep}`,
    endStep: ph.endStep,
    // decay_ratio 0: warm-up (phase 1 only), then constant. Later phases resume from the checkpoint but not its LR scheduler state.
    config: base(ph.endStep, ph.lr, { warmup_steps: ph.warmupSteps, decay_ratio: 0.0 }, i > 0 ? { exclude_from_loading: ['lr_scheduler'] } : {}),
  }));
}

/** What torchtitan's scheduler can and cannot express of this point's run (printed and written at the top of every job file). */
export function torchtitanScheduleNote(t: TrainingSpec): string {
  const cannot = 'torchtitan\'s lr_scheduler is warm-up → stable → one decay (linear, sqrt or cosine to min_lr_factor; decay_ratio sets WSD): it cannot express step drops.';
  if (t.schedule.name === 'multistep') {
    return `${cannot} The paper's multi-step schedule is exported as ${t.schedule.phases.length} jobs of constant LR (${t.schedule.phases.map((p) => `${p.lrFactor} × peak to ${Math.round((100 * p.endStep) / t.steps)}% of the steps`).join(', ')}), ` +
      'each resuming from the previous job\'s checkpoint with exclude_from_loading = ["lr_scheduler"] so the new optimizer.lr applies (the optimizer state itself is kept, ' +
      'and may carry the previous LR into the first step of a phase). Its initialisation is its own (trunc-normal 0.02, output projections scaled by depth): init_std is not a job option.';
  }
  return `${t.schedule.name === 'cosine' ? 'Cosine decay to min_lr_factor is expressed directly.' : 'Constant LR (decay_ratio 0) is expressed directly.'} ${cannot} Its initialisation is its own (init_std is not a job option).`;
}

/** A job file: header comments + TOML. */
export function torchtitanToml(job: TorchtitanJob, p: GridPoint, note: string): string {
  const header = [
    `# scaling export --to torchtitan: grid point ${p.id}, ${job.name}`,
    `# ${note}`,
    `# Register the model first: add model_args.py's entry to llama3_args (torchtitan/models/llama3/__init__.py) as "${torchtitanFlavor(p.id)}".`,
    '# Set [training] dataset / [model] hf_assets_path for your data and tokenizer (its vocabulary must have vocab_size tokens).',
  ];
  // TOML has distinct floats and integers; JavaScript does not: write the float-typed fields as floats.
  const toml = stringify(job.config).replace(/^(decay_ratio|min_lr_factor|max_norm|lr|weight_decay|beta1|beta2) = (-?\d+)$/gm, '$1 = $2.0');
  return header.join('\n') + '\n\n' + toml + '\n';
}

/** model_args.py: the TransformerModelArgs entry to register. */
export function torchtitanModelArgsPy(p: GridPoint): string {
  const a = torchtitanModelArgs(p.shape);
  const py = (v: number | null) => (v === null ? 'None' : Number.isInteger(v) ? String(v) : String(v));
  const fields = Object.entries(a).map(([k, v]) => `    ${k}=${py(v)},`);
  return [
    `# scaling export --to torchtitan: model args of grid point ${p.id} (d_ff = ${p.shape.dFf} through multiple_of/ffn_dim_multiplier).`,
    '# Add to torchtitan/models/llama3/__init__.py:',
    'from torchtitan.models.llama3.model.args import TransformerModelArgs',
    '',
    `llama3_args["${torchtitanFlavor(p.id)}"] = TransformerModelArgs(`,
    ...fields,
    ')',
    '',
  ].join('\n');
}

/** train.sh: runs the job files in order with torchtitan's run_train.sh, skipping finished ones (outputs/checkpoint/step-N). */
export function torchtitanScript(p: GridPoint, jobs: TorchtitanJob[], note: string): string {
  return [
    '#!/usr/bin/env bash',
    `# scaling export --to torchtitan: grid point ${p.id}. ${note}`,
    '# Environment: TORCHTITAN = torchtitan checkout (v0.2: run_train.sh + TOML job files); NGPU (default 8); EXTRA_ARGS (appended).',
    'set -euo pipefail',
    ': "${TORCHTITAN:?set TORCHTITAN to your torchtitan checkout}"',
    'HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
    'read -r -a EXTRA <<< "${EXTRA_ARGS:-}"',
    'cd "$HERE"',
    'done_step() { local last=0 d n; for d in outputs/checkpoint/step-*; do [[ -e "$d" ]] || continue; n="${d##*step-}"; [[ "$n" =~ ^[0-9]+$ ]] && (( n > last )) && last=$n; done; echo "$last"; }',
    ...jobs.flatMap((j) => [
      `# ${j.name}`,
      `if (( $(done_step) < ${j.endStep} )); then CONFIG_FILE="$HERE/${j.file}" NGPU="\${NGPU:-8}" "$TORCHTITAN/run_train.sh" "\${EXTRA[@]}"; fi`,
    ]),
    '',
  ].join('\n');
}
