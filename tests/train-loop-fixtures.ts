// Shared fixtures for the train-loop tests: hand-built grid points (exact budget by construction) and a tiny prepared dataset.
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GridPoint, PlanFile } from '../src/schema/plan.ts';
import type { ModelShape } from '../src/flops/shape.ts';
import { scaleCounts } from '../src/flops/flops.ts';
import { makeSchedule } from '../src/plan/schedule.ts';
import type { ScheduleName } from '../src/schema/runs.ts';
import type { CorpusSource } from '../src/data/corpora.ts';
import { prepareDataset } from '../src/data/prepare.ts';
import type { Trainer, TrainerConfig, TrainerState } from '../src/train/api.ts';

export function tinyShape(over: Partial<ModelShape> = {}): ModelShape {
  return { nLayer: 1, dModel: 16, nHeads: 2, nKvHeads: 2, dFf: 48, seqLen: 32, vocab: 256, ...over };
}

/** A grid point whose budget is exactly M × steps × batchTokens. */
export function makePoint(o: { id?: string; shape?: ModelShape; steps?: number; batchSeqs?: number; lr?: number; seed?: number; schedule?: ScheduleName; budget?: number; index?: number } = {}): GridPoint {
  const shape = o.shape ?? tinyShape();
  const steps = o.steps ?? 60;
  const batchSeqs = o.batchSeqs ?? 8;
  const batchTokens = batchSeqs * shape.seqLen;
  const { M, N1, N2 } = scaleCounts(shape);
  const tokens = steps * batchTokens;
  return {
    id: o.id ?? `t-L${shape.nLayer}-d${shape.dModel}-s${steps}`, budget: o.budget ?? M * tokens, index: o.index ?? 0, shape, targetScale: M, M, N1, N2,
    tokens, flops: M * tokens, batchTokens, batchSeqs, lr: o.lr ?? 1e-2, steps, schedule: makeSchedule(o.schedule ?? 'multistep', steps), seed: o.seed ?? 1,
  };
}

export function makePlan(points: GridPoint[]): PlanFile {
  const budgets = [...new Set(points.map((p) => p.budget))].map((budget) => {
    const ps = points.filter((p) => p.budget === budget);
    return { budget, scaleOpt: ps[0].M, tokensOpt: ps[0].tokens, batchTokens: ps[0].batchTokens, batchSeqs: ps[0].batchSeqs, lr: ps[0].lr, points: ps };
  });
  return {
    schema: 'scaling.plan', version: 1, created: new Date(0).toISOString(), representation: 'M',
    laws: { name: 'test', path: 'test', source: 'test' },
    options: { points: points.length, span: 1, seqLen: points[0].shape.seqLen, vocab: 256, schedule: 'multistep', warmup: 'auto', seed: 1 },
    budgets,
  };
}

/** A corpus source over in-memory documents (written to files so the input hash sees them). */
export function memorySource(name: string, texts: string[], dir: string): CorpusSource {
  mkdirSync(dir, { recursive: true });
  const files = texts.map((t, i) => {
    const f = join(dir, `${name}-${String(i).padStart(4, '0')}.txt`);
    writeFileSync(f, t);
    return f;
  });
  return {
    name, packageName: `test-${name}`, description: `test source ${name}`,
    files: () => files,
    documents: () => files.map((f, i) => ({ source: name, name: f, text: texts[i] })),
  };
}

/** Deterministic English-like text: sentences from a small vocabulary, so a tiny model can learn byte statistics fast. */
export function syntheticDocs(n: number, seed = 7): string[] {
  const words = ['the', 'whale', 'ship', 'sea', 'captain', 'and', 'of', 'a', 'to', 'in', 'was', 'he', 'his', 'that', 'it', 'with', 'upon', 'white', 'boat', 'men'];
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const docs: string[] = [];
  for (let d = 0; d < n; d++) {
    const sentences: string[] = [];
    const ns = 3 + Math.floor(rnd() * 6);
    for (let k = 0; k < ns; k++) {
      const len = 4 + Math.floor(rnd() * 8);
      const w = Array.from({ length: len }, () => words[Math.floor(rnd() * words.length)]);
      w[0] = w[0][0].toUpperCase() + w[0].slice(1);
      sentences.push(w.join(' ') + '.');
    }
    docs.push(`Document ${d}. ` + sentences.join(' '));
  }
  return docs;
}

/** Prepares a small synthetic dataset named 'tiny' in a fresh temp directory; returns the data dir. */
export async function tinyDataset(valBytes = 4096, docs = 400): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'scaling-tl-'));
  const src = memorySource('synthetic', syntheticDocs(docs), join(root, 'src'));
  await prepareDataset('tiny', { outDir: join(root, 'data'), valBytes, sources: [src], description: 'synthetic test text' });
  return join(root, 'data');
}

/**
 * A stand-in Trainer for bookkeeping tests: it records every (step, lr) it is given and returns a loss that is a known function
 * of the step (or NaN from `nanAt`). Its "weights" are the running sum of lrs, so checkpoints carry real state.
 */
export class FakeTrainer implements Trainer {
  readonly lrs: number[] = [];
  private w = new Float32Array([0]);
  private stepCount = 0;
  constructor(readonly config: TrainerConfig, private readonly nanAt = -1) {}
  get step(): number {
    return this.stepCount;
  }
  trainStep(_i: Int32Array, _t: Int32Array, _b: number, lr: number): { loss: number; gradNorm: number } {
    const s = this.stepCount++;
    this.lrs.push(lr);
    this.w[0] += lr;
    return { loss: s === this.nanAt ? NaN : 5 / (1 + s), gradNorm: 1 };
  }
  evaluate(): number {
    return 5 / (1 + this.stepCount) + this.w[0] * 0;
  }
  exportState(): TrainerState {
    return { step: this.stepCount, tensors: { w: { shape: [1], data: this.w.slice() } } };
  }
  importState(s: TrainerState) {
    this.stepCount = s.step;
    this.w = s.tensors.w.data.slice();
  }
  numTensors() {
    return 1;
  }
  dispose() {}
}
