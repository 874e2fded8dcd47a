// Plans as text: a table per budget (the default output of `scaling plan`) and a flat CSV of grid points.
import type { PlanFile } from '../schema/plan.ts';
import { sci, si, textTable } from '../util/format.ts';
import type { ModelPlan } from './model-plan.ts';

export function formatPlanTable(plan: PlanFile): string {
  const scaleName = plan.representation === 'M' ? 'M_opt' : `${plan.representation}_opt`;
  const out: string[] = [`laws: ${plan.laws.name} (${plan.laws.path}); representation ${plan.representation}; l_seq ${plan.options.seqLen}, vocab ${plan.options.vocab}; schedule ${plan.options.schedule}`];
  for (const b of plan.budgets) {
    out.push('');
    out.push(
      `C = ${sci(b.budget)} FLOPs   ${scaleName} = ${sci(b.scaleOpt)} FLOPs/token   D_opt = ${sci(b.tokensOpt)} tokens   ` +
        `B_opt = ${si(b.batchTokens)} tokens (${b.batchSeqs} seq)   η_opt = ${b.lr.toPrecision(3)}` +
        (b.predictedLoss !== undefined ? `   predicted loss = ${b.predictedLoss.toFixed(4)}` : ''),
    );
    out.push(
      textTable(
        ['i', 'L', 'd', 'heads', 'kv', 'd_ff', 'M', 'N1', 'N2', 'D', 'ΔC', 'batch', 'lr', 'steps', 'warmup', '80%', '90%'],
        b.points.map((p) => [
          String(p.index), String(p.shape.nLayer), String(p.shape.dModel), String(p.shape.nHeads), String(p.shape.nKvHeads), String(p.shape.dFf),
          sci(p.M), si(p.N1), si(p.N2), sci(p.tokens), `${(((p.flops - p.budget) / p.budget) * 100).toFixed(2)}%`, String(p.batchSeqs),
          p.lr.toPrecision(3), String(p.steps), String(p.schedule.warmupSteps), String(p.schedule.breakpoints[0] ?? '-'), String(p.schedule.breakpoints[1] ?? '-'),
        ]),
      ),
    );
    for (const w of b.warnings ?? []) out.push(`warning: ${w}`);
  }
  return out.join('\n');
}

export const PLAN_CSV_COLUMNS = ['id', 'budget', 'index', 'n_layer', 'd_model', 'n_heads', 'n_kv_heads', 'd_ff', 'seq_len', 'vocab', 'M', 'N1', 'N2', 'tokens', 'flops', 'batch_tokens', 'batch_seqs', 'lr', 'steps', 'warmup_steps', 'schedule', 'breakpoints'];

export function formatPlanCsv(plan: PlanFile): string {
  const rows = plan.budgets.flatMap((b) =>
    b.points.map((p) =>
      [p.id, p.budget, p.index, p.shape.nLayer, p.shape.dModel, p.shape.nHeads, p.shape.nKvHeads, p.shape.dFf, p.shape.seqLen, p.shape.vocab, p.M, p.N1, p.N2, p.tokens, p.flops, p.batchTokens, p.batchSeqs, p.lr, p.steps, p.schedule.warmupSteps, p.schedule.name, p.schedule.breakpoints.join(' ')].join(','),
    ),
  );
  return [PLAN_CSV_COLUMNS.join(','), ...rows].join('\n');
}

export function formatModelPlan(name: string, m: ModelPlan, reference?: { batchSeqs: number; lr: number; tokens: number }): string {
  const s = m.shape;
  const lines = [
    `${name}: n_layer=${s.nLayer} d_model=${s.dModel} heads=${s.nHeads} kv_heads=${s.nKvHeads} d_ff=${s.dFf} l_seq=${s.seqLen} vocab=${s.vocab}`,
    `  M = ${sci(m.counts.M, 3)} FLOPs/token (${m.counts.formula === 'standard' ? 'paper Eq. 2' : 'exact for this shape'}), N1 = ${si(m.counts.N1)}, N2 = ${si(m.counts.N2)}`,
    `  D = ${sci(m.tokens)} tokens   C = M·D = ${sci(m.compute, 3)} FLOPs`,
    `  Eq. 1: B_opt = ${si(m.batchTokens)} tokens = ${m.batchSeqs} sequences   η_opt = ${m.lr.toPrecision(3)}`,
  ];
  if (reference) {
    const db = ((m.batchSeqs - reference.batchSeqs) / reference.batchSeqs) * 100;
    const dl = ((m.lr - reference.lr) / reference.lr) * 100;
    lines.push(`  paper Table 2: batch ${reference.batchSeqs} sequences (${db >= 0 ? '+' : ''}${db.toFixed(1)}%), LR ${reference.lr} (${dl >= 0 ? '+' : ''}${dl.toFixed(1)}%)`);
  }
  if (m.scaleOpt !== undefined) lines.push(`  compute-optimal at this C: scale ${sci(m.scaleOpt)} FLOPs/token, D ${sci(m.tokensOpt!)} tokens`);
  if (m.predictedLoss !== undefined) lines.push(`  predicted loss: ${m.predictedLoss.toFixed(4)}`);
  return lines.join('\n');
}
