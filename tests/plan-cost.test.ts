// Cost before compute: GPU-hours from the FLOPs the hardware does (6·N2 + 12·n·d·l_seq per token), checked by hand arithmetic.
import { describe, expect, it } from 'vitest';
import { loadLaws } from '../src/laws/load.ts';
import { DEFAULT_PLAN_OPTIONS, makePlan } from '../src/plan/grid.ts';
import { hardwareFlopsPerToken, planCost, runCost } from '../src/plan/cost.ts';
import { DEVICES, parseDevice, parseMfu } from '../src/plan/devices.ts';
import { presetShape, PRESETS } from '../src/flops/presets.ts';
import { parseBudgetRange } from '../src/plan/budgets.ts';
import { formatPlanCsv, formatPlanTable } from '../src/plan/format.ts';
import { runCli } from './helpers/cli.ts';

const { laws, path } = loadLaws();

describe('GPU-hours (scaling plan --device --mfu)', () => {
  it('DeepSeek 7B at 2T tokens on H100 at MFU 0.4, by hand', () => {
    // N1 = 30·(4·4096² + 3·4096·11008) = 30·(67,108,864 + 135,266,304) = 6,071,255,040; N2 = N1 + 102,400·4096 = 6,490,685,440.
    // Per token: 6·N2 = 38,944,112,640 plus attention 12·30·4096·4096 = 6,039,797,760 → 44,983,910,400 FLOPs.
    expect(hardwareFlopsPerToken(presetShape(PRESETS['7b']))).toBe(44_983_910_400);
    // × 2e12 tokens = 8.99678208e22 FLOPs; ÷ (989.4e12 × 0.4) FLOP/s = 2.273287e8 s = 63,146.9 GPU-hours.
    const c = runCost(presetShape(PRESETS['7b']), 2e12, DEVICES.h100, 0.4);
    expect(c.hardwareFlops).toBe(8.99678208e22);
    expect(c.gpuHours).toBeCloseTo(8.99678208e22 / (989.4e12 * 0.4) / 3600, 6);
    expect(c.gpuHours).toBeCloseTo(63146.9, 0);
  });

  it('one grid point of the paper grid by hand; budgets and the total are the sums; hardware FLOPs exceed M·D by 6·V·d·D', () => {
    const plan = makePlan(parseBudgetRange('1e17:3e20:8'), laws, path, DEFAULT_PLAN_OPTIONS);
    const cost = planCost(plan, DEVICES.h100, 0.4);
    const p = plan.budgets[7].points[0]; // 3e20, i0: n_layer 15, d 1152, 9 heads, d_ff 3072
    expect([p.shape.nLayer, p.shape.dModel, p.shape.dFf]).toEqual([15, 1152, 3072]);
    // N2 = 15·(4·1152² + 3·1152·3072) + 102,400·1152 = 15·(5,308,416 + 10,616,832) + 117,964,800 = 356,843,520;
    // per token 6·N2 + 12·15·1152·4096 = 2,141,061,120 + 849,346,560 = 2,990,407,680.
    expect(p.N2).toBe(356_843_520);
    const hw = 2_990_407_680 * p.tokens;
    const c = cost.points.find((x) => x.id === p.id)!;
    expect(c.hardwareFlops).toBe(hw);
    expect(c.gpuHours).toBeCloseTo(hw / (989.4e12 * 0.4 * 3600), 9);
    expect(c.hardwareFlops - p.M * p.tokens).toBe(6 * 102400 * 1152 * p.tokens);
    for (const b of cost.budgets) {
      const ids = new Set(plan.budgets.find((x) => x.budget === b.budget)!.points.map((q) => q.id));
      expect(b.gpuHours).toBeCloseTo(cost.points.filter((q) => ids.has(q.id)).reduce((a, q) => a + q.gpuHours, 0), 9);
    }
    expect(cost.totalGpuHours).toBeCloseTo(cost.budgets.reduce((a, b) => a + b.gpuHours, 0), 9);
    plan.cost = cost;
    expect(formatPlanTable(plan)).toMatch(/total: [\d,]+ GPU-hours on h100 at 989.4 TFLOP\/s dense BF16 × MFU 0.4/);
    expect(formatPlanTable(plan)).toContain('6·N2 + 12·n_layer·d·l_seq');
    const csv = formatPlanCsv(plan).split('\n');
    expect(csv[0].endsWith('hardware_flops,gpu_hours,device,mfu')).toBe(true);
    expect(csv).toHaveLength(81);
  });

  it('devices: h100/h200/a100 dense BF16 peaks, NAME:PEAK, and bad input naming the flag', () => {
    expect([DEVICES.h100.peakTflops, DEVICES.h200.peakTflops, DEVICES.a100.peakTflops]).toEqual([989.4, 989.4, 312]);
    expect(parseDevice('H100')).toBe(DEVICES.h100);
    expect(parseDevice('mi300x:1307.4')).toMatchObject({ key: 'mi300x', peakTflops: 1307.4 });
    expect(() => parseDevice('tpu')).toThrow(/--device/);
    expect(() => parseDevice('x:0')).toThrow(/--device/);
    expect(() => parseMfu(0)).toThrow(/--mfu/);
    expect(() => parseMfu(1.5)).toThrow(/--mfu/);
  });

  it('CLI: plan --budgets 1e17:3e20:8 --device h100 --mfu 0.4 prints GPU-hours per point, budget and total; JSON carries them', () => {
    const r = runCli(['plan', '--budgets', '1e17:3e20:8', '--device', 'h100', '--mfu', '0.4']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('GPU-h');
    expect(r.stdout.match(/^budget total: /gm)).toHaveLength(8);
    expect(r.stdout).toMatch(/^total: [\d,]+ GPU-hours on h100/m);
    const j = runCli(['plan', '--budget', '3e20', '--device', 'a100', '--format', 'json']);
    const plan = JSON.parse(j.stdout);
    expect(plan.cost).toMatchObject({ device: 'a100', peakTflops: 312, mfu: 0.4 });
    expect(plan.cost.points).toHaveLength(10);
  });
});
