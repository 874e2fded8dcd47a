// Megatron-LM export of a grid point: pretrain_gpt.py arguments (args.json) and a script running them (train.sh) — docs/export.md.
//
// Argument names are Megatron-LM's (megatron/training/arguments.py and the dataclasses it builds flags from: TransformerConfig,
// TrainingConfig, SchedulerConfig, CheckpointConfig). Megatron's --lr-decay-style offers constant, linear, cosine,
// inverse-square-root and WSD: no multi-step schedule. The paper's schedule is exported as its honest equivalent, three
// runs of constant LR (1, 0.316, 0.1 × peak) each resuming from the previous one's checkpoint with --override-opt_param-scheduler.
import { validateShape, type ModelShape } from '../flops/shape.ts';
import type { GridPoint, ShapeFamilySpec } from '../schema/plan.ts';
import { RMS_NORM_EPS, ROPE_THETA } from '../schema/settings.ts';
import { InputError } from '../util/errors.ts';
import { trainingSpec, type TrainingSpec } from './training.ts';

/** Model-shape arguments (what the round trip parses back). */
export function megatronModelArgs(shape: ModelShape, initStd: number): string[] {
  const gqa = shape.nKvHeads !== shape.nHeads ? ['--group-query-attention', '--num-query-groups', String(shape.nKvHeads)] : [];
  return [
    '--num-layers', String(shape.nLayer),
    '--hidden-size', String(shape.dModel),
    '--ffn-hidden-size', String(shape.dFf),
    '--num-attention-heads', String(shape.nHeads),
    ...gqa,
    '--seq-length', String(shape.seqLen),
    '--max-position-embeddings', String(shape.seqLen),
    '--swiglu',
    '--normalization', 'RMSNorm',
    '--norm-epsilon', String(RMS_NORM_EPS),
    '--position-embedding-type', 'rope',
    '--rotary-base', String(ROPE_THETA),
    '--untie-embeddings-and-output-weights',
    '--disable-bias-linear',
    '--attention-dropout', '0',
    '--hidden-dropout', '0',
    '--init-method-std', String(initStd),
  ];
}

/** Tokenizer arguments of the default script: a NullTokenizer of the plan's vocabulary (replace with yours of the same size). */
export function megatronTokenizerArgs(vocab: number): string[] {
  return ['--tokenizer-type', 'NullTokenizer', '--vocab-size', String(vocab), '--make-vocab-size-divisible-by', '1'];
}

/** Arguments every phase shares: batch, optimizer (Megatron's defaults β2 0.999 and wd 0.01 overridden), precision, parallelism, saving. */
export function megatronTrainingArgs(t: TrainingSpec, family: Pick<ShapeFamilySpec, 'tp' | 'pp'>): string[] {
  return [
    '--micro-batch-size', '1',
    '--global-batch-size', String(t.globalBatch.sequences),
    '--optimizer', 'adam',
    '--adam-beta1', String(t.optimizer.beta1),
    '--adam-beta2', String(t.optimizer.beta2),
    '--adam-eps', String(t.optimizer.eps),
    '--weight-decay', String(t.optimizer.weightDecay),
    '--clip-grad', String(t.clipGradNorm),
    '--bf16',
    '--seed', String(t.seed),
    '--tensor-model-parallel-size', String(family.tp),
    '--pipeline-model-parallel-size', String(family.pp),
    '--save-interval', String(Math.max(1, Math.round(t.steps / 20))),
    '--exit-signal-handler',
  ];
}

export interface MegatronPhase {
  name: string;
  /** Iteration this phase ends at (Megatron's --train-iters counts from the start of the run). */
  endIteration: number;
  args: string[];
}

/** The LR phases: multistep → 3 constant-LR phases resumed from checkpoints; cosine/constant → one phase with Megatron's own decay. */
export function megatronPhases(t: TrainingSpec): MegatronPhase[] {
  const s = t.schedule;
  if (s.name === 'cosine') {
    const min = t.peakLr * (s.minFactor ?? 0.1);
    return [{ name: 'cosine', endIteration: t.steps, args: ['--train-iters', String(t.steps), '--lr', String(t.peakLr), '--min-lr', String(min), '--lr-decay-style', 'cosine', '--lr-decay-iters', String(t.steps), '--lr-warmup-iters', String(t.warmupSteps)] }];
  }
  return s.phases.map((ph, i) => ({
    name: s.phases.length === 1 ? 'constant' : `stage ${i + 1}: ${ph.lrFactor} × peak LR, iterations ${ph.startStep}–${ph.endStep}`,
    endIteration: ph.endStep,
    args: [
      '--train-iters', String(ph.endStep),
      '--lr', String(ph.lr),
      '--min-lr', String(ph.lr),
      '--lr-decay-style', 'constant',
      '--lr-warmup-iters', String(ph.warmupSteps),
      ...(i > 0 ? ['--override-opt_param-scheduler'] : []),
    ],
  }));
}

/** What Megatron can and cannot express of this point's schedule (printed by `scaling export` and written into train.sh). */
export function megatronScheduleNote(t: TrainingSpec): string {
  if (t.schedule.name === 'multistep') {
    return 'Megatron-LM has no multi-step LR schedule (--lr-decay-style: constant, linear, cosine, inverse-square-root, WSD). ' +
      `This export runs the paper's schedule as ${t.schedule.phases.length} phases of constant LR (${t.schedule.phases.map((p) => `${p.lrFactor} × peak to ${Math.round((100 * p.endStep) / t.steps)}% of the iterations`).join(', ')}), ` +
      'each resuming from the previous phase\'s checkpoint with --override-opt_param-scheduler so the new LR applies; the warm-up is in phase 1. ' +
      'Megatron\'s linear warm-up starts at --lr-warmup-init (0) at iteration 0, one step behind ours ((s+1)/W).';
  }
  if (t.schedule.name === 'cosine') return 'cosine decay is Megatron\'s own (--lr-decay-style cosine to --min-lr over --lr-decay-iters).';
  return 'constant LR after the warm-up (--lr-decay-style constant).';
}

/** args.json: the argument lists of every phase of a point. */
export function megatronArgs(p: GridPoint, family: Pick<ShapeFamilySpec, 'tp' | 'pp'>): Record<string, unknown> {
  const t = trainingSpec(p);
  return {
    format: 'scaling.export.megatron/1',
    id: t.id,
    entry: 'pretrain_gpt.py',
    model: megatronModelArgs(p.shape, t.initStd),
    tokenizer: megatronTokenizerArgs(p.shape.vocab),
    training: megatronTrainingArgs(t, family),
    phases: megatronPhases(t),
    schedule_note: megatronScheduleNote(t),
    tokens: t.tokens,
    train_samples: t.steps * t.globalBatch.sequences,
  };
}

const sh = (a: string) => (/^[A-Za-z0-9_.,:/=+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
const shArray = (name: string, args: string[]) => {
  const lines: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (args[i].startsWith('--') && next !== undefined && !next.startsWith('--')) {
      lines.push(`  ${sh(args[i])} ${sh(next)}`);
      i++;
    } else lines.push(`  ${sh(args[i])}`);
  }
  return `${name}=(\n${lines.join('\n')}\n)`;
};

/**
 * train.sh: runs the phases in order with torchrun, skipping phases already finished (Megatron's latest_checkpointed_iteration.txt),
 * so the same script resumes after a requeue. Environment: MEGATRON (checkout), DATA_PATH (its --data-path), optional
 * CKPT_DIR, TOKENIZER_ARGS, TORCHRUN_ARGS, EXTRA_ARGS.
 */
export function megatronScript(p: GridPoint, family: Pick<ShapeFamilySpec, 'tp' | 'pp'>): string {
  const a = megatronArgs(p, family) as { model: string[]; tokenizer: string[]; training: string[]; phases: MegatronPhase[]; schedule_note: string };
  const lines = [
    '#!/usr/bin/env bash',
    `# scaling export --to megatron: grid point ${p.id} (budget ${p.budget.toExponential(2)} FLOPs, M = ${p.M.toExponential(4)} FLOPs/token, ${p.tokens} tokens)`,
    ...wrap(a.schedule_note).map((l) => `# ${l}`),
    '# Environment: MEGATRON = Megatron-LM checkout, DATA_PATH = its --data-path; optional CKPT_DIR (default: ./checkpoints next to this',
    '# script), TOKENIZER_ARGS (default: a NullTokenizer of the plan\'s vocabulary: use your tokenizer of the same size, or M and N2',
    '# change), TORCHRUN_ARGS (e.g. --nproc-per-node 8), EXTRA_ARGS (appended to every phase).',
    'set -euo pipefail',
    ': "${MEGATRON:?set MEGATRON to your Megatron-LM checkout}"',
    ': "${DATA_PATH:?set DATA_PATH to the --data-path of your tokenized data}"',
    'HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
    'CKPT_DIR="${CKPT_DIR:-$HERE/checkpoints}"',
    shArray('MODEL_ARGS', a.model),
    `read -r -a TOKENIZER <<< "\${TOKENIZER_ARGS:-${a.tokenizer.join(' ')}}"`,
    shArray('TRAINING_ARGS', a.training),
    'read -r -a EXTRA <<< "${EXTRA_ARGS:-}"',
    'read -r -a TORCHRUN <<< "${TORCHRUN_ARGS:-}"',
    'done_iters() { local f="$CKPT_DIR/latest_checkpointed_iteration.txt"; if [[ -f "$f" ]]; then cat "$f"; else echo 0; fi; }',
    'run_phase() {',
    '  local end="$1"; shift',
    '  local done; done="$(done_iters)"',
    '  if [[ "$done" =~ ^[0-9]+$ ]] && (( done >= end )); then echo "phase to iteration $end already done ($done)"; return 0; fi',
    '  torchrun "${TORCHRUN[@]}" "$MEGATRON/pretrain_gpt.py" "${MODEL_ARGS[@]}" "${TOKENIZER[@]}" "${TRAINING_ARGS[@]}" \\',
    '    --data-path "$DATA_PATH" --save "$CKPT_DIR" --load "$CKPT_DIR" "$@" "${EXTRA[@]}"',
    '}',
    ...a.phases.flatMap((ph) => [`# ${ph.name}`, `run_phase ${ph.endIteration} ${ph.args.map(sh).join(' ')}`]),
    '',
  ];
  return lines.join('\n');
}

function wrap(text: string, width = 124): string[] {
  const out: string[] = [];
  let line = '';
  for (const w of text.split(' ')) {
    if (line && line.length + 1 + w.length > width) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}

/** The shape a Megatron argument list describes (model + tokenizer arguments); InputError naming the flag otherwise. */
export function parseMegatronArgs(argv: readonly string[]): ModelShape {
  const value = (flag: string, fallback?: number): number => {
    const i = argv.lastIndexOf(flag);
    if (i < 0) {
      if (fallback !== undefined) return fallback;
      throw new InputError('missing', { field: flag });
    }
    const v = Number(argv[i + 1]);
    if (!Number.isInteger(v) || v < 1) throw new InputError(`must be a positive integer, got '${argv[i + 1]}'`, { field: flag });
    return v;
  };
  if (!argv.includes('--swiglu')) throw new InputError('without --swiglu the FFN is a GELU MLP with 2 matrices, not LLaMA\'s 3', { field: '--swiglu' });
  if (!argv.includes('--untie-embeddings-and-output-weights')) throw new InputError('tied embeddings: N2 would count the vocabulary matrix once', { field: '--untie-embeddings-and-output-weights' });
  const nHeads = value('--num-attention-heads');
  return validateShape({
    nLayer: value('--num-layers'),
    dModel: value('--hidden-size'),
    nHeads,
    nKvHeads: argv.includes('--group-query-attention') ? value('--num-query-groups') : nHeads,
    dFf: value('--ffn-hidden-size'),
    seqLen: value('--seq-length'),
    vocab: value('--vocab-size'),
  });
}
