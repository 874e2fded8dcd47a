// Synthetic run CSVs in our own format (written with writeRunCsv) from a known Chinchilla law in M: L = E + A/M^α + B/D^β.
import { join } from 'node:path';
import { writeRunCsv, type RunRow } from '../src/schema/runs.ts';
import { scaleCounts } from '../src/flops/flops.ts';
import type { ModelShape } from '../src/flops/shape.ts';

/** The generating law; the compute-optimal exponent is a = β/(α+β) (Chinchilla Eq. 4 with C = M·D). */
export const LAW = { E: 0.9, A: 40, alpha: 0.32, B: 220, beta: 0.28 };
export const TRUE_A = LAW.beta / (LAW.alpha + LAW.beta);

export function lawLoss(M: number, D: number): number {
  return LAW.E + LAW.A / M ** LAW.alpha + LAW.B / D ** LAW.beta;
}

/** Compute-optimal M for budget C under LAW: M_opt = G·C^a with G = (αA/(βB))^(1/(α+β)). */
export function lawMopt(C: number): number {
  const G = ((LAW.alpha * LAW.A) / (LAW.beta * LAW.B)) ** (1 / (LAW.alpha + LAW.beta));
  return G * C ** TRUE_A;
}

function shapeFor(M: number): ModelShape {
  // n_layer 4, seq 128: M ≈ 72·4·d² + 12·4·d·128; solve for d, keep it a multiple of 4 (2 heads of even size).
  const d = Math.max(16, 4 * Math.round((-6144 + Math.sqrt(6144 ** 2 + 4 * 288 * M)) / (2 * 288) / 4));
  return { nLayer: 4, dModel: d, nHeads: 2, nKvHeads: 2, dFf: Math.round((8 * d) / 3 / 4) * 4, seqLen: 128, vocab: 256 };
}

export interface RunSpec {
  runId: string;
  budget: number;
  shape: ModelShape;
  status: 'done' | 'running' | 'diverged';
  evals: number;
}

/** Rows of one run: `evals` evaluations at evenly spaced token counts, the last one the result. */
export function runRows(spec: RunSpec, dataset = 'synthetic'): RunRow[] {
  const c = scaleCounts(spec.shape);
  const Dfinal = spec.budget / c.M;
  const rows: RunRow[] = [];
  for (let k = 1; k <= spec.evals; k++) {
    const tokens = Math.round((Dfinal * k) / spec.evals);
    const last = k === spec.evals;
    const loss = spec.status === 'diverged' && last ? NaN : lawLoss(c.M, tokens);
    rows.push({
      run_id: spec.runId, dataset, budget: spec.budget,
      n_layer: spec.shape.nLayer, d_model: spec.shape.dModel, n_heads: spec.shape.nHeads, n_kv_heads: spec.shape.nKvHeads, d_ff: spec.shape.dFf, seq_len: spec.shape.seqLen, vocab: spec.shape.vocab,
      M: c.M, N1: c.N1, N2: c.N2, batch_tokens: 4096, lr_max: 1e-3, schedule: 'multistep', step: k * 100, tokens, flops: c.M * tokens, lr: 1e-3,
      train_loss: loss, val_loss: loss, val_bpb: loss / Math.LN2, elapsed_s: k,
      status: last ? spec.status : 'running', seed: 0, val_hash: 'abc', representation: 'M',
    });
  }
  return rows;
}

/** A grid: `budgets` × `points` shapes log-spaced over M_opt/span … M_opt·span (all done), one CSV per budget in `dir`. */
export function writeSyntheticGrid(dir: string, budgets: number[], points = 7, span = 4, evals = 4): string[] {
  const files: string[] = [];
  for (const C of budgets) {
    const Mopt = lawMopt(C);
    const rows: RunRow[] = [];
    for (let i = 0; i < points; i++) {
      const M = Mopt * span ** ((2 * i) / (points - 1) - 1);
      rows.push(...runRows({ runId: `C${C.toExponential(0)}-p${i}`, budget: C, shape: shapeFor(M), status: 'done', evals }));
    }
    const f = join(dir, `runs-${C.toExponential(0)}.csv`);
    writeRunCsv(f, rows);
    files.push(f);
  }
  return files;
}
