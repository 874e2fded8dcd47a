// The contract between the model/optimizer (src/train/trainer.ts) and the training loop, checkpoints and workers.
import type { ModelShape } from '../flops/shape.ts';
import { PAPER_INIT_STD, PAPER_OPTIMIZER_SETTINGS } from '../schema/settings.ts';

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

// Init std and AdamW settings live in src/schema/settings.ts (the exports write the same values); re-exported here.
export { PAPER_INIT_STD, SMALL_MODEL_INIT_STD, initStdFor } from '../schema/settings.ts';

export const PAPER_OPTIMIZER: Omit<TrainerConfig, 'shape' | 'seed'> = { initStd: PAPER_INIT_STD, ...PAPER_OPTIMIZER_SETTINGS };

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
