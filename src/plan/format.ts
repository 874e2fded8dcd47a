// Plans as text: a table per budget (the default output of `scaling plan`) and a flat CSV of grid points.
import type { PlanFile } from '../schema/plan.ts';
import { num, sci, si, textTable } from '../util/format.ts';
import type { ModelPlan } from './model-plan.ts';

/** GPU-hours as printed: 3 significant digits below 1000, whole hours with separators above. */
export function formatGpuHours(h: number): string {
  return h < 1000 ? num(h, 3) : Math.round(h).toLocaleString('en-US');
}

export function formatPlanTable(plan: PlanFile): string {
  const cost = plan.cost;
  const hoursOf = new Map(cost?.points.map((c) => [c.id, c.gpuHours]) ?? []);
  const scaleName = plan.representation === 'M' ? 'M_opt' : `${plan.representation}_opt`;
  const out: string[] = [`laws: ${plan.laws.name} (${plan.laws.path}); representation ${plan.representation}; l_seq ${plan.options.seqLen}, vocab ${plan.options.vocab}; schedule ${plan.options.schedule}`];
  for (const b of plan.budgets) {
    out.push('');
    out.push(
      `C = ${sci(b.budget)} FLOPs   ${scaleName} = ${sci(b.scaleOpt)} FLOPs/token   D_opt = ${sci(b.tokensOpt)} tokens   ` +
        `B_opt = ${si(b.batchTokens)} tokens (${b.batchSeqs} seq)   η_opt = ${b.lr.toPrecision(3)}` +
        (b.predictedLoss !== undefined ? `   predicted loss = ${b.predictedLoss.toFixed(4)}` : ''),
    );
    if (b.family) {
      const f = b.family;
      out.push(`family: head size ${f.headSize}, d_ff = ⌊8/3·d⌋ up to a multiple of ${f.multipleOf === 'auto' ? 'LLaMA\'s 2^⌊log2(d/16)⌋ in 8…256' : f.multipleOf}${f.tp > 1 ? ` and of tp ${f.tp}` : ''}, ${f.depthRule}, widths in steps of ${f.widthStep}${f.kvGroup > 1 ? `, ${f.kvGroup} query heads per KV head` : ''}`);
    }
    out.push(
      textTable(
        ['i', 'L', 'd', 'heads', 'kv', 'd_ff', 'M', 'N1', 'N2', 'D', 'ΔC', 'batch (seq)', 'lr', 'steps', 'warmup', 'step@80%', 'step@90%', ...(cost ? ['GPU-h'] : [])],
        b.points.map((p) => [
          String(p.index), String(p.shape.nLayer), String(p.shape.dModel), String(p.shape.nHeads), String(p.shape.nKvHeads), String(p.shape.dFf),
          sci(p.M), si(p.N1), si(p.N2), sci(p.tokens), `${(((p.flops - p.budget) / p.budget) * 100).toFixed(2)}%`, String(p.batchSeqs),
          p.lr.toPrecision(3), String(p.steps), String(p.schedule.warmupSteps), String(p.schedule.breakpoints[0] ?? '-'), String(p.schedule.breakpoints[1] ?? '-'),
          ...(cost ? [formatGpuHours(hoursOf.get(p.id) ?? NaN)] : []),
        ]),
      ),
    );
    const bc = cost?.budgets.find((c) => c.budget === b.budget);
    if (cost && bc) out.push(`budget total: ${formatGpuHours(bc.gpuHours)} GPU-hours on ${cost.device} (${sci(bc.hardwareFlops)} hardware FLOPs)`);
    for (const w of b.warnings ?? []) out.push(`warning: ${w}`);
  }
  if (cost) {
    out.push('');
    out.push(`total: ${formatGpuHours(cost.totalGpuHours)} GPU-hours on ${cost.device} at ${cost.peakTflops} TFLOP/s dense BF16 × MFU ${cost.mfu} (assumed; hours scale as 1/MFU)`);
    const md = plan.budgets.reduce((acc, b) => acc + b.points.reduce((x, p) => x + p.flops, 0), 0);
    out.push(`GPU-hours count the FLOPs the GPUs do, ${cost.flopsRule}: ${sci(cost.totalHardwareFlops)} in all, for ${sci(md)} of the paper's compute (${plan.representation}·D)`);
  }
  return out.join('\n');
}

export const PLAN_CSV_COLUMNS = ['id', 'budget', 'index', 'n_layer', 'd_model', 'n_heads', 'n_kv_heads', 'd_ff', 'seq_len', 'vocab', 'M', 'N1', 'N2', 'tokens', 'flops', 'batch_tokens', 'batch_seqs', 'lr', 'steps', 'warmup_steps', 'schedule', 'breakpoints'];

/** Extra CSV columns when the plan carries a cost (--device). */
export const PLAN_CSV_COST_COLUMNS = ['hardware_flops', 'gpu_hours', 'device', 'mfu'];

export function formatPlanCsv(plan: PlanFile): string {
  const cost = plan.cost;
  const costOf = new Map(cost?.points.map((c) => [c.id, c]) ?? []);
  const rows = plan.budgets.flatMap((b) =>
    b.points.map((p) => {
      const row: (string | number)[] = [p.id, p.budget, p.index, p.shape.nLayer, p.shape.dModel, p.shape.nHeads, p.shape.nKvHeads, p.shape.dFf, p.shape.seqLen, p.shape.vocab, p.M, p.N1, p.N2, p.tokens, p.flops, p.batchTokens, p.batchSeqs, p.lr, p.steps, p.schedule.warmupSteps, p.schedule.name, p.schedule.breakpoints.join(' ')];
      if (cost) row.push(costOf.get(p.id)!.hardwareFlops, costOf.get(p.id)!.gpuHours, cost.device, cost.mfu);
      return row.join(',');
    }),
  );
  return [[...PLAN_CSV_COLUMNS, ...(cost ? PLAN_CSV_COST_COLUMNS : [])].join(','), ...rows].join('\n');
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
