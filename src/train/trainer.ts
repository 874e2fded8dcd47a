// createTrainer: a LLaMA model plus AdamW behind the Trainer contract (src/train/api.ts) — one step is forward, mean
// cross-entropy, backward (tf.variableGrads), global-norm clipping and a fused AdamW update; state export/import is exact.
import * as tf from '@tensorflow/tfjs';
import type { Trainer, TrainerConfig, TrainerState } from './api.ts';
import { LlamaModel } from './model.ts';
import { AdamW } from './adamw.ts';
import { activeBackend, initBackend } from './backend.ts';

function checkBatch(shapeT: number, vocab: number, inputs: Int32Array, targets: Int32Array, batch: number): void {
  const n = batch * shapeT;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`trainer: batch must be a positive integer, got ${batch}`);
  if (inputs.length !== n || targets.length !== n) throw new Error(`trainer: expected ${n} = ${batch}×${shapeT} tokens, got inputs ${inputs.length}, targets ${targets.length}`);
  for (let i = 0; i < n; i++) {
    if (inputs[i] < 0 || inputs[i] >= vocab || targets[i] < 0 || targets[i] >= vocab) throw new Error(`trainer: token id out of [0, ${vocab}) at position ${i}`);
  }
}

class LlamaTrainer implements Trainer {
  readonly config: TrainerConfig;
  private readonly model: LlamaModel;
  private readonly opt: AdamW;
  private readonly vars: tf.Variable[];

  constructor(config: TrainerConfig) {
    this.config = config;
    this.model = new LlamaModel(config.shape, config.seed, config.initStd);
    this.vars = [...this.model.params.values()];
    const decayed = this.model.specs.filter((p) => p.kind === 'matrix').map((p) => p.name);
    this.opt = new AdamW(this.model.params, decayed, config);
  }

  get step(): number {
    return this.opt.step;
  }

  trainStep(inputs: Int32Array, targets: Int32Array, batch: number, lr: number): { loss: number; gradNorm: number } {
    const { seqLen, vocab } = this.config.shape;
    checkBatch(seqLen, vocab, inputs, targets, batch);
    const ids = tf.tensor1d(inputs, 'int32');
    const tg = tf.tensor1d(targets, 'int32');
    const { value, grads } = tf.variableGrads(() => this.model.loss(ids, tg, batch), this.vars);
    ids.dispose();
    tg.dispose();
    const loss = value.dataSync()[0];
    value.dispose();
    // variableGrads keys gradients by tfjs variable name; the optimizer keys them by parameter name.
    const byParam: Record<string, tf.Tensor> = {};
    for (const [name, v] of this.model.params) byParam[name] = grads[v.name];
    const gradNorm = this.opt.apply(byParam, lr);
    for (const g of Object.values(grads)) g.dispose();
    return { loss, gradNorm };
  }

  evaluate(inputs: Int32Array, targets: Int32Array, batch: number): number {
    const { seqLen, vocab } = this.config.shape;
    checkBatch(seqLen, vocab, inputs, targets, batch);
    const loss = tf.tidy(() => this.model.loss(tf.tensor1d(inputs, 'int32'), tf.tensor1d(targets, 'int32'), batch));
    const v = loss.dataSync()[0];
    loss.dispose();
    return v;
  }

  private stateTensors(): Map<string, tf.Variable> {
    const all = new Map<string, tf.Variable>();
    for (const [name, p] of this.model.params) {
      all.set(name, p);
      all.set(`adam_m/${name}`, this.opt.m.get(name)!);
      all.set(`adam_v/${name}`, this.opt.v.get(name)!);
    }
    return all;
  }

  exportState(): TrainerState {
    const tensors: TrainerState['tensors'] = {};
    for (const [name, t] of this.stateTensors()) tensors[name] = { shape: [...t.shape], data: t.dataSync() as Float32Array };
    return { step: this.opt.step, tensors };
  }

  importState(state: TrainerState): void {
    const all = this.stateTensors();
    for (const [name, t] of all) {
      const s = state.tensors[name];
      if (!s) throw new Error(`trainer state: missing tensor '${name}'`);
      if (s.shape.length !== t.shape.length || s.shape.some((d, i) => d !== t.shape[i])) throw new Error(`trainer state: tensor '${name}' has shape [${s.shape}], expected [${t.shape}]`);
      if (s.data.length !== t.size) throw new Error(`trainer state: tensor '${name}' has ${s.data.length} values, expected ${t.size}`);
    }
    for (const name of Object.keys(state.tensors)) if (!all.has(name)) throw new Error(`trainer state: unexpected tensor '${name}'`);
    if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`trainer state: bad step ${state.step}`);
    for (const [name, t] of all) {
      const s = state.tensors[name];
      const v = tf.tensor(s.data, s.shape, 'float32');
      t.assign(v);
      v.dispose();
    }
    this.opt.step = state.step;
  }

  numTensors(): number {
    return tf.memory().numTensors;
  }

  dispose(): void {
    this.model.dispose();
    this.opt.dispose();
  }
}

/** Builds model and optimizer on the active backend (initialising wasm first if no backend was chosen yet). */
export async function createTrainer(config: TrainerConfig): Promise<Trainer> {
  if (activeBackend() === undefined) await initBackend('wasm');
  return new LlamaTrainer(config);
}
