// The contract between the model/optimizer (src/train/trainer.ts) and the training loop, checkpoints and workers.
import type { ModelShape } from '../flops/shape.ts';

export type { BackendName } from '../schema/settings.ts';

export interface TrainerConfig {
  shape: ModelShape;
  seed: number;
  /** Std of the normal init of every matrix (paper: 0.006). */
  initStd: number;
  /** AdamW (paper §2.2): β1 0.9, β2 0.95, ε 1e-8, decoupled weight decay 0.1 (not on norm gains), global grad-norm clip 1.0. */
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  clipNorm: number;
}

/** The paper's init std (§2.2), used by DeepSeek for d ≥ 4096 models. */
export const PAPER_INIT_STD = 0.006;
/** Init std for small models (d < 512): measured better than 0.006 and 1/√d at d = 32 and comparable to 1/√d at d = 64 (docs/train-model.md). */
export const SMALL_MODEL_INIT_STD = 0.02;

/** Recommended init std for a shape: the paper's 0.006 from d = 512 up, 0.02 below (see experiments/init-std.ts). */
export function initStdFor(s: Pick<ModelShape, 'dModel'>): number {
  return s.dModel >= 512 ? PAPER_INIT_STD : SMALL_MODEL_INIT_STD;
}

export const PAPER_OPTIMIZER: Omit<TrainerConfig, 'shape' | 'seed'> = {
  initStd: 0.006, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, clipNorm: 1.0,
};

/** Everything needed to continue training bit-for-bit: weights, AdamW moments, step count. */
export interface TrainerState {
  step: number;
  tensors: Record<string, { shape: number[]; data: Float32Array }>;
}

export interface Trainer {
  readonly config: TrainerConfig;
  /** Number of optimizer updates applied so far. */
  readonly step: number;
  /**
   * One AdamW update on a batch of `batch` sequences of `shape.seqLen` tokens (row-major: inputs[b*T + t]); targets are the next tokens.
   * Returns the mean training loss (nats/token) before the update and the global grad norm before clipping.
   */
  trainStep(inputs: Int32Array, targets: Int32Array, batch: number, lr: number): { loss: number; gradNorm: number };
  /** Mean loss (nats/token) on a batch, no update. */
  evaluate(inputs: Int32Array, targets: Int32Array, batch: number): number;
  exportState(): TrainerState;
  importState(state: TrainerState): void;
  /** Number of live tensors (for leak tests). */
  numTensors(): number;
  dispose(): void;
}
