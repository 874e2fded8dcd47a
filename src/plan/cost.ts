// Cost before compute: the FLOPs a GPU really does for a run (not only M) and the GPU-hours at a device peak and an MFU.
import { attentionFlopsPerToken, scaleCounts, scaleOfCounts } from '../flops/flops.ts';
import type { ModelShape } from '../flops/shape.ts';
import type { PlanCost, PlanFile } from '../schema/plan.ts';
import type { DeviceSpec } from './devices.ts';

/** What the hours count, in words (printed with every cost). */
export const HARDWARE_FLOPS_RULE =
  '6·N2 + 12·n_layer·d·l_seq FLOPs per token (forward + backward of every matmul including the vocabulary projection, plus attention scores and values; no causal halving, no activation recomputation) — PaLM\'s MFU accounting';

/**
 * FLOPs per token the hardware does, forward + backward: 6·N2 (every weight matrix, the output projection included — the input
 * embedding is a lookup) plus 12·n_layer·d·l_seq for attention. This is M + 6·V·d: the paper's M leaves out the vocabulary
 * projection, which a GPU still computes.
 */
export function hardwareFlopsPerToken(shape: ModelShape): number {
  return scaleOfCounts(scaleCounts(shape), '6N2') + attentionFlopsPerToken(shape);
}

/** GPU-hours for `flops` at `mfu` of the device's dense peak. */
export function gpuHours(flops: number, device: DeviceSpec, mfu: number): number {
  return flops / (device.peakTflops * 1e12 * mfu) / 3600;
}

/** GPU-hours of a training run of `tokens` tokens of `shape`. */
export function runCost(shape: ModelShape, tokens: number, device: DeviceSpec, mfu: number): { hardwareFlops: number; gpuHours: number } {
  const hardwareFlops = hardwareFlopsPerToken(shape) * tokens;
  return { hardwareFlops, gpuHours: gpuHours(hardwareFlops, device, mfu) };
}

/** The cost of every grid point of a plan, per budget and in total. */
export function planCost(plan: PlanFile, device: DeviceSpec, mfu: number): PlanCost {
  const points: PlanCost['points'] = [];
  const budgets: PlanCost['budgets'] = [];
  for (const b of plan.budgets) {
    let hw = 0, hours = 0;
    for (const p of b.points) {
      const c = runCost(p.shape, p.tokens, device, mfu);
      points.push({ id: p.id, ...c });
      hw += c.hardwareFlops;
      hours += c.gpuHours;
    }
    budgets.push({ budget: b.budget, hardwareFlops: hw, gpuHours: hours });
  }
  return {
    device: device.key, peakTflops: device.peakTflops, mfu, flopsRule: HARDWARE_FLOPS_RULE, points, budgets,
    totalHardwareFlops: budgets.reduce((a, b) => a + b.hardwareFlops, 0),
    totalGpuHours: budgets.reduce((a, b) => a + b.gpuHours, 0),
  };
}
