// AdamW (paper §2.2: β1 0.9, β2 0.95, ε 1e-8, decoupled weight decay 0.1, grad-norm clip 1.0) with bias correction and global
// gradient-norm clipping. On wasm/cpu one fused JS kernel per parameter (kernels/adamw-kernel.ts); on the wasm-blas path one
// native call for all parameters, in place (kernels/adamw-blas.ts, the same arithmetic); elsewhere plain tfjs ops.
//
// Weight decay: decoupled (θ ← θ − lr·wd·θ) on every matrix — attention, FFN, the token embedding and the output head — and
// never on RMSNorm gains. Decaying the embedding follows the paper's setting (all matrices decayed), as in DeepSeek's and
// LLaMA's recipes; callers choose by listing which parameters are decayed.
import * as tf from '@tensorflow/tfjs';
import { ADAMW_KERNEL, SUMSQ_KERNEL, hasFusedAdamW, type AdamWAttrs } from './kernels/adamw-kernel.ts';
import { activeBlas } from './kernels/blas-kernels.ts';
import { blasAdamWInPlace, blasSumSquares } from './kernels/adamw-blas.ts';
import type { BlasAddon } from './kernels/blas-addon.ts';

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  clipNorm: number;
}

/** Clipping factor for global-norm clipping (PyTorch's clip_grad_norm_): min(1, clipNorm / (‖g‖ + 1e-6)). */
export function clipFactor(gradNorm: number, clipNorm: number): number {
  return clipNorm > 0 && gradNorm > clipNorm ? clipNorm / (gradNorm + 1e-6) : 1;
}

function zerosVariable(shape: number[]): tf.Variable {
  const z = tf.zeros(shape);
  const v = tf.variable(z, false);
  z.dispose();
  return v;
}

export class AdamW {
  readonly config: AdamWConfig;
  /** Number of updates applied. */
  step = 0;
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();
  private readonly params: Map<string, tf.Variable>;
  private readonly decayed: Set<string>;
  private readonly fused: boolean;
  /** The addon when updating in place natively (wasm-blas path). */
  private readonly blas: BlasAddon | undefined;

  /** `fused: false` forces the plain-tfjs-ops update (the path other backends take), e.g. to test both. */
  constructor(params: Map<string, tf.Variable>, decayed: Iterable<string>, config: AdamWConfig, opts: { fused?: boolean } = {}) {
    this.config = config;
    this.params = params;
    this.decayed = new Set(decayed);
    this.fused = (opts.fused ?? true) && hasFusedAdamW(tf.getBackend());
    this.blas = this.fused ? activeBlas() : undefined;
    for (const [name, p] of params) {
      this.m.set(name, zerosVariable(p.shape));
      this.v.set(name, zerosVariable(p.shape));
    }
  }

  /** Global L2 norm of all gradients (before clipping). */
  globalNorm(grads: Record<string, tf.Tensor>): number {
    const list = Object.values(grads);
    if (this.blas) return Math.sqrt(blasSumSquares(this.blas, list));
    if (this.fused) {
      const s = tf.engine().runKernel(SUMSQ_KERNEL, Object.fromEntries(list.map((g, i) => [`g${i}`, g]))) as tf.Tensor;
      const v = s.dataSync()[0];
      s.dispose();
      return Math.sqrt(v);
    }
    const s = tf.tidy(() => tf.addN(list.map((g) => tf.sum(tf.square(g)))));
    const v = s.dataSync()[0];
    s.dispose();
    return Math.sqrt(v);
  }

  /** Clips by global norm and applies one AdamW update with learning rate `lr`. Returns the norm before clipping. */
  apply(grads: Record<string, tf.Tensor>, lr: number): number {
    const gradNorm = this.globalNorm(grads);
    const scale = clipFactor(gradNorm, this.config.clipNorm);
    this.step += 1;
    const { beta1, beta2, eps, weightDecay } = this.config;
    const bc1 = 1 - beta1 ** this.step;
    const bc2 = 1 - beta2 ** this.step;
    if (this.blas) {
      const entries = [...this.params].map(([name, param]) => {
        if (!grads[name]) throw new Error(`AdamW: no gradient for parameter ${name}`);
        return { param, grad: grads[name], m: this.m.get(name)!, v: this.v.get(name)!, weightDecay: this.decayed.has(name) ? weightDecay : 0 };
      });
      blasAdamWInPlace(this.blas, entries, { lr, beta1, beta2, eps, bc1, bc2, scale });
      return gradNorm;
    }
    for (const [name, p] of this.params) {
      const g = grads[name];
      if (!g) throw new Error(`AdamW: no gradient for parameter ${name}`);
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      const attrs: AdamWAttrs = { lr, beta1, beta2, eps, weightDecay: this.decayed.has(name) ? weightDecay : 0, bc1, bc2, scale };
      if (this.fused) {
        const [np, nm, nv] = tf.engine().runKernel(ADAMW_KERNEL, { param: p, grad: g, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        p.assign(np); m.assign(nm); v.assign(nv);
        np.dispose(); nm.dispose(); nv.dispose();
      } else {
        tf.tidy(() => {
          const gs = tf.mul(g, scale);
          const nm = tf.add(tf.mul(m, beta1), tf.mul(gs, 1 - beta1));
          const nv = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gs), 1 - beta2));
          const upd = tf.div(tf.div(nm, bc1), tf.add(tf.sqrt(tf.div(nv, bc2)), eps));
          const np = tf.sub(tf.sub(p, tf.mul(p, lr * attrs.weightDecay)), tf.mul(upd, lr));
          p.assign(np); m.assign(nm); v.assign(nv);
        });
      }
    }
    return gradNorm;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
