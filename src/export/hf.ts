// Hugging Face export of a grid point: config.json for transformers' LlamaForCausalLM and training.json with the run (docs/export.md).
import type { Representation } from '../flops/flops.ts';
import { validateShape, type ModelShape } from '../flops/shape.ts';
import type { GridPoint } from '../schema/plan.ts';
import { RMS_NORM_EPS, ROPE_THETA } from '../schema/settings.ts';
import { InputError } from '../util/errors.ts';
import { multistepGamma, planRecord, trainingSpec } from './training.ts';

/** transformers' LlamaConfig keys written (plus architectures and model_type, without which AutoConfig cannot load the file). */
export const HF_CONFIG_KEYS = [
  'architectures', 'model_type',
  'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'max_position_embeddings',
  'vocab_size', 'rms_norm_eps', 'rope_theta', 'initializer_range', 'tie_word_embeddings', 'torch_dtype',
] as const;

export type HfConfig = Record<(typeof HF_CONFIG_KEYS)[number], unknown>;

/** config.json of LlamaForCausalLM for a shape: SwiGLU (LLaMA's default hidden_act silu), RMSNorm, RoPE, untied output head, bf16. */
export function hfConfig(shape: ModelShape, initStd: number): HfConfig {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: shape.dModel,
    intermediate_size: shape.dFf,
    num_hidden_layers: shape.nLayer,
    num_attention_heads: shape.nHeads,
    num_key_value_heads: shape.nKvHeads,
    max_position_embeddings: shape.seqLen,
    vocab_size: shape.vocab,
    rms_norm_eps: RMS_NORM_EPS,
    rope_theta: ROPE_THETA,
    initializer_range: initStd,
    tie_word_embeddings: false,
    torch_dtype: 'bfloat16',
  };
}

/** The shape a config.json describes (the training sequence length is max_position_embeddings); InputError naming the key otherwise. */
export function parseHfConfig(raw: unknown, file?: string): ModelShape {
  const o = (raw ?? {}) as Record<string, unknown>;
  const int = (k: string, fallback?: unknown) => {
    const v = o[k] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new InputError(`must be a positive integer, got ${JSON.stringify(v)}`, { file, field: k });
    return v;
  };
  if (o.tie_word_embeddings === true) throw new InputError('tied embeddings: N2 would count the vocabulary matrix once for both ends (the paper\'s models are untied)', { file, field: 'tie_word_embeddings' });
  const nHeads = int('num_attention_heads');
  return validateShape({
    nLayer: int('num_hidden_layers'), dModel: int('hidden_size'), nHeads, nKvHeads: int('num_key_value_heads', nHeads),
    dFf: int('intermediate_size'), seqLen: int('max_position_embeddings'), vocab: int('vocab_size'),
  }, { file });
}

/**
 * training.json: the run in PyTorch terms. The multi-step schedule is given as phases and as torch.optim.lr_scheduler:
 * MultiStepLR(milestones, gamma) with γ = 0.316 (γ² = 0.0999, the paper's 10% to 0.14%), after a LinearLR warm-up chained by
 * SequentialLR, whose second scheduler counts steps from the end of the warm-up (hence the shifted milestones).
 */
export function hfTraining(p: GridPoint, representation: Representation): Record<string, unknown> {
  const t = trainingSpec(p);
  const W = t.warmupSteps;
  const warmup = W > 1 ? { class: 'torch.optim.lr_scheduler.LinearLR', start_factor: 1 / W, end_factor: 1.0, total_iters: W - 1 } : undefined;
  const gamma = multistepGamma(p.schedule);
  let torch: Record<string, unknown>;
  if (p.schedule.name === 'multistep' && gamma !== undefined) {
    const decay = { class: 'torch.optim.lr_scheduler.MultiStepLR', milestones: t.schedule.breakpoints, gamma };
    torch = {
      decay,
      ...(warmup ? {
        warmup,
        sequential: { class: 'torch.optim.lr_scheduler.SequentialLR', milestones: [W], schedulers: ['warmup', 'decay_after_warmup'] },
        decay_after_warmup: { ...decay, milestones: t.schedule.breakpoints.map((b) => b - W) },
      } : {}),
      note: `LR factor at optimizer step s (0-based): (s+1)/${W} while s < ${W}, then ${gamma}^(number of milestones ≤ s). ` +
        `Use 'decay' alone if you warm up yourself; with SequentialLR use 'decay_after_warmup' (its steps count from the end of the warm-up). ` +
        `Call scheduler.step() once per optimizer step. γ² = ${(gamma * gamma).toFixed(6)} is the paper's ${p.schedule.factors[1] ?? gamma * gamma}.`,
    };
  } else if (p.schedule.name === 'cosine') {
    torch = {
      ...(warmup ? { warmup } : {}),
      decay: { class: 'torch.optim.lr_scheduler.CosineAnnealingLR', T_max: t.steps - W, eta_min: t.peakLr * (p.schedule.minFactor ?? 0.1) },
      note: 'cosine from the peak (after warm-up) to minFactor × peak at the last step',
    };
  } else {
    torch = { ...(warmup ? { warmup } : {}), note: p.schedule.name === 'multistep' ? 'factors are not powers of one γ: use a LambdaLR over the phases' : 'constant LR after warm-up' };
  }
  return {
    format: 'scaling.export.hf/1',
    id: t.id,
    tokens: t.tokens,
    steps: t.steps,
    seq_len: t.seqLen,
    global_batch_tokens: t.globalBatch.tokens,
    global_batch_sequences: t.globalBatch.sequences,
    peak_lr: t.peakLr,
    warmup_steps: W,
    schedule: { name: t.schedule.name, breakpoints: t.schedule.breakpoints, factors: t.schedule.factors, ...(t.schedule.minFactor !== undefined ? { min_factor: t.schedule.minFactor } : {}), phases: t.schedule.phases.map((ph) => ({ start_step: ph.startStep, end_step: ph.endStep, lr_factor: ph.lrFactor, lr: ph.lr, warmup_steps: ph.warmupSteps })) },
    torch_lr_scheduler: torch,
    optimizer: { class: 'torch.optim.AdamW', lr: t.peakLr, betas: [t.optimizer.beta1, t.optimizer.beta2], eps: t.optimizer.eps, weight_decay: t.optimizer.weightDecay, no_weight_decay: t.optimizer.weightDecayExcludes },
    clip_grad_norm: t.clipGradNorm,
    init_std: t.initStd,
    seed: t.seed,
    plan_point: planRecord(p, representation),
  };
}
