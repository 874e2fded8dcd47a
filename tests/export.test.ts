// `scaling export` to Hugging Face, Megatron-LM and torchtitan: the keys each trainer reads, the schedule each can express, the
// round trip shape → config → shape (same M, N1, N2, also through `scaling flops`), Table 2's 7B/67B, and a safe --out.
import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse as parseToml } from 'smol-toml';
import { loadLaws } from '../src/laws/load.ts';
import { DEFAULT_PLAN_OPTIONS, makePlan } from '../src/plan/grid.ts';
import { presetPlan } from '../src/plan/preset-plan.ts';
import { lrFactor } from '../src/plan/schedule.ts';
import { PRESETS } from '../src/flops/presets.ts';
import { scaleCounts } from '../src/flops/flops.ts';
import { allPoints, writePlan, type GridPoint, type PlanFile } from '../src/schema/plan.ts';
import { exportPlan, type ExportTarget } from '../src/export/export.ts';
import { HF_CONFIG_KEYS, parseHfConfig } from '../src/export/hf.ts';
import { parseMegatronArgs } from '../src/export/megatron.ts';
import { parseTorchtitanModelArgs, torchtitanFfn } from '../src/export/torchtitan.ts';
import { runCli } from './helpers/cli.ts';

const { laws, path } = loadLaws();
const tmp = () => mkdtempSync(join(tmpdir(), 'scaling-export-'));
const read = (f: string) => readFileSync(f, 'utf8');
const json = (f: string) => JSON.parse(read(f));

// A 3e20 grid planned for tensor parallel 2 and pipeline parallel 2, and a GQA grid (kv heads ≠ heads in every config).
const grid: PlanFile = makePlan([3e20], laws, path, { ...DEFAULT_PLAN_OPTIONS, points: 5, tp: 2, pp: 2 });
const gqa: PlanFile = makePlan([1e19], laws, path, { ...DEFAULT_PLAN_OPTIONS, points: 4, kvGroup: 4 });
const dirs: Record<string, string> = {};

beforeAll(async () => {
  for (const [name, plan] of [['grid', grid], ['gqa', gqa], ['7b', presetPlan(PRESETS['7b'], laws, path)], ['67b', presetPlan(PRESETS['67b'], laws, path)]] as const) {
    for (const t of ['hf', 'megatron', 'torchtitan'] as ExportTarget[]) {
      const out = join(tmp(), `${name}-${t}`);
      await exportPlan(plan, t, out);
      dirs[`${name}/${t}`] = out;
    }
  }
});

/** The shape each target's files describe, parsed back by that target's rules. */
function parsedShape(target: ExportTarget, dir: string) {
  if (target === 'hf') return parseHfConfig(json(join(dir, 'config.json')));
  if (target === 'megatron') {
    const a = json(join(dir, 'args.json'));
    return parseMegatronArgs([...a.model, ...a.tokenizer]);
  }
  const m = json(join(dir, 'model_args.json'));
  return parseTorchtitanModelArgs(m, m.seq_len);
}

/** Our LR multiplier vs a target's at optimizer step s (0-based). */
const ours = (p: GridPoint, s: number) => lrFactor(p.schedule, s);

describe('round trip: exported shape → same M, N1, N2', () => {
  it.each(['hf', 'megatron', 'torchtitan'] as ExportTarget[])('%s', (t) => {
    for (const plan of [grid, gqa]) {
      const out = dirs[`${plan === grid ? 'grid' : 'gqa'}/${t}`];
      for (const p of allPoints(plan)) {
        const back = parsedShape(t, join(out, p.id));
        expect(back).toEqual(p.shape);
        const c = scaleCounts(back);
        expect([c.M, c.N1, c.N2]).toEqual([p.M, p.N1, p.N2]);
      }
    }
  });

  it('through `scaling flops` (one point per target, GQA)', () => {
    const p = allPoints(gqa)[1];
    for (const t of ['hf', 'megatron', 'torchtitan'] as ExportTarget[]) {
      const s = parsedShape(t, join(dirs[`gqa/${t}`], p.id));
      const r = runCli(['flops', '--layers', String(s.nLayer), '--d-model', String(s.dModel), '--heads', String(s.nHeads), '--kv-heads', String(s.nKvHeads), '--ffn', String(s.dFf), '--seq', String(s.seqLen), '--vocab', String(s.vocab), '--format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      const f = JSON.parse(r.stdout);
      expect([f.M, f.N1, f.N2]).toEqual([p.M, p.N1, p.N2]);
    }
  });

  it("torchtitan's FFN rule gives the paper's widths (int(8/3·d) up to multiple_of 256: 11008, 22016)", () => {
    expect(torchtitanFfn(4096, 256, null)).toBe(11008);
    expect(torchtitanFfn(8192, 256, null)).toBe(22016);
  });
});

describe("7B and 67B exports carry the paper's Table 2 shapes", () => {
  const table2 = { '7b': { L: 30, d: 4096, h: 32, kv: 32, ff: 11008 }, '67b': { L: 95, d: 8192, h: 64, kv: 8, ff: 22016 } };
  it.each(['7b', '67b'] as const)('%s', (k) => {
    const want = table2[k];
    const hf = json(join(dirs[`${k}/hf`], k, 'config.json'));
    expect([hf.num_hidden_layers, hf.hidden_size, hf.num_attention_heads, hf.num_key_value_heads, hf.intermediate_size, hf.vocab_size, hf.max_position_embeddings]).toEqual([want.L, want.d, want.h, want.kv, want.ff, 102400, 4096]);
    const mg = json(join(dirs[`${k}/megatron`], k, 'args.json')).model as string[];
    const arg = (f: string) => mg[mg.indexOf(f) + 1];
    expect([arg('--num-layers'), arg('--hidden-size'), arg('--num-attention-heads'), arg('--ffn-hidden-size')].map(Number)).toEqual([want.L, want.d, want.h, want.ff]);
    expect(mg.includes('--group-query-attention')).toBe(want.kv !== want.h);
    if (want.kv !== want.h) expect(Number(arg('--num-query-groups'))).toBe(want.kv);
    const tt = json(join(dirs[`${k}/torchtitan`], k, 'model_args.json'));
    expect([tt.n_layers, tt.dim, tt.n_heads, tt.n_kv_heads, tt.multiple_of, tt.ffn_dim_multiplier]).toEqual([want.L, want.d, want.h, want.kv, 256, null]);
    // Table 2's batch (sequences of 4096) and peak LR, 2T tokens in whole batches.
    const tr = json(join(dirs[`${k}/hf`], k, 'training.json'));
    expect([tr.global_batch_sequences, tr.peak_lr]).toEqual([PRESETS[k].batchSeqs, PRESETS[k].lr]);
    expect(Math.abs(tr.tokens / 2e12 - 1)).toBeLessThan(1e-5);
    expect(tr.warmup_steps).toBe(2000);
  });
});

describe('hf: config.json keys and training.json', () => {
  it('config.json has exactly LlamaConfig keys of the issue (+ architectures/model_type), untied, bf16', () => {
    const p = allPoints(grid)[0];
    const c = json(join(dirs['grid/hf'], p.id, 'config.json'));
    expect(Object.keys(c).sort()).toEqual([...HF_CONFIG_KEYS].sort());
    expect(c).toMatchObject({ architectures: ['LlamaForCausalLM'], model_type: 'llama', tie_word_embeddings: false, torch_dtype: 'bfloat16', rms_norm_eps: 1e-6, rope_theta: 10000, initializer_range: 0.006 });
  });

  it("training.json: tokens, steps, batch, AdamW 0.9/0.95/1e-8/0.1, clip 1, and the PyTorch schedulers reproduce our LR at every step", () => {
    for (const p of allPoints(grid)) {
      const t = json(join(dirs['grid/hf'], p.id, 'training.json'));
      expect([t.tokens, t.steps, t.global_batch_tokens, t.global_batch_sequences, t.peak_lr, t.warmup_steps]).toEqual([p.tokens, p.steps, p.batchTokens, p.batchSeqs, p.lr, p.schedule.warmupSteps]);
      expect(t.optimizer).toMatchObject({ class: 'torch.optim.AdamW', betas: [0.9, 0.95], eps: 1e-8, weight_decay: 0.1 });
      expect(t.clip_grad_norm).toBe(1);
      expect(t.schedule.phases.map((ph: { lr_factor: number }) => ph.lr_factor)).toEqual([1, 0.316, 0.1]);
      const { warmup, decay, decay_after_warmup: after, sequential } = t.torch_lr_scheduler;
      expect(decay).toEqual({ class: 'torch.optim.lr_scheduler.MultiStepLR', milestones: p.schedule.breakpoints, gamma: 0.316 });
      expect(sequential.milestones).toEqual([p.schedule.warmupSteps]);
      // PyTorch's closed forms: LinearLR factor at epoch e = start + (end − start)·min(e, T)/T; MultiStepLR γ^(#milestones ≤ e).
      const torchFactor = (s: number) => {
        if (s < sequential.milestones[0]) return warmup.start_factor + (warmup.end_factor - warmup.start_factor) * Math.min(s, warmup.total_iters) / warmup.total_iters;
        const e = s - sequential.milestones[0];
        return Math.pow(after.gamma, after.milestones.filter((m: number) => m <= e).length);
      };
      for (const s of [0, 1, 17, p.schedule.warmupSteps - 1, p.schedule.warmupSteps, p.schedule.breakpoints[0] - 1, p.schedule.breakpoints[0], p.schedule.breakpoints[1] - 1, p.schedule.breakpoints[1], p.steps - 1]) {
        // Equal up to 0.316² = 0.099856 vs the paper's 0.1 after the second drop (0.14%).
        expect(Math.abs(torchFactor(s) / ours(p, s) - 1), `step ${s}`).toBeLessThan(0.0015);
      }
    }
  });
});

describe('megatron: pretrain_gpt.py arguments and the honest 3-phase schedule', () => {
  const issueFlags = ['--num-layers', '--hidden-size', '--ffn-hidden-size', '--num-attention-heads', '--seq-length', '--max-position-embeddings', '--swiglu', '--normalization', '--position-embedding-type', '--untie-embeddings-and-output-weights', '--disable-bias-linear', '--global-batch-size', '--train-iters', '--lr', '--min-lr', '--lr-warmup-iters', '--adam-beta1', '--adam-beta2', '--adam-eps', '--weight-decay', '--clip-grad', '--init-method-std', '--bf16'];

  it('every flag of the issue, Megatron defaults overridden (β2 0.95, wd 0.1), GQA flags for GQA, tp/pp from the plan', () => {
    for (const [plan, dir] of [[grid, dirs['grid/megatron']], [gqa, dirs['gqa/megatron']]] as const) {
      for (const p of allPoints(plan)) {
        const a = json(join(dir, p.id, 'args.json'));
        const all: string[] = [...a.model, ...a.tokenizer, ...a.training, ...a.phases[0].args];
        for (const f of issueFlags) expect(all, f).toContain(f);
        const v = (f: string) => all[all.indexOf(f) + 1];
        expect([v('--adam-beta2'), v('--weight-decay'), v('--adam-beta1'), v('--clip-grad'), v('--normalization'), v('--position-embedding-type')]).toEqual(['0.95', '0.1', '0.9', '1', 'RMSNorm', 'rope']);
        expect(Number(v('--global-batch-size'))).toBe(p.batchSeqs);
        expect(Number(v('--init-method-std'))).toBe(0.006);
        expect(all.includes('--group-query-attention')).toBe(plan === gqa);
        expect(Number(v('--tensor-model-parallel-size'))).toBe(plan === grid ? 2 : 1);
        expect(Number(v('--pipeline-model-parallel-size'))).toBe(plan === grid ? 2 : 1);
      }
    }
  });

  it('three constant-LR phases at 1, 0.316, 0.1 × peak ending at the breakpoints, later ones with --override-opt_param-scheduler; train.sh says so and parses', () => {
    for (const p of allPoints(grid)) {
      const dir = join(dirs['grid/megatron'], p.id);
      const a = json(join(dir, 'args.json'));
      expect(a.phases).toHaveLength(3);
      const ends = [...p.schedule.breakpoints, p.steps];
      a.phases.forEach((ph: { args: string[]; endIteration: number }, i: number) => {
        const v = (f: string) => ph.args[ph.args.indexOf(f) + 1];
        expect(Number(v('--train-iters'))).toBe(ends[i]);
        expect(Number(v('--lr'))).toBeCloseTo(p.lr * [1, 0.316, 0.1][i], 15);
        expect(v('--lr-decay-style')).toBe('constant');
        expect(Number(v('--lr-warmup-iters'))).toBe(i === 0 ? p.schedule.warmupSteps : 0);
        expect(ph.args.includes('--override-opt_param-scheduler')).toBe(i > 0);
      });
      expect(a.schedule_note).toMatch(/no multi-step LR schedule/);
      const sh = read(join(dir, 'train.sh'));
      expect(sh).toMatch(/# Megatron-LM has no multi-step LR schedule/);
      expect(sh.match(/^run_phase \d+ /gm)).toHaveLength(3);
      const syntax = spawnSync('bash', ['-n', join(dir, 'train.sh')], { encoding: 'utf8' });
      expect(syntax.status, syntax.stderr).toBe(0);
    }
  });
});

describe('torchtitan: TOML job files and what its scheduler can express', () => {
  it('[job] [model] [optimizer] [lr_scheduler] [training] [parallelism] [checkpoint] per phase; constant LR phases resumed without the LR scheduler state', () => {
    for (const p of allPoints(grid)) {
      const dir = join(dirs['grid/torchtitan'], p.id);
      const ends = [...p.schedule.breakpoints, p.steps];
      for (let i = 0; i < 3; i++) {
        const text = read(join(dir, `phase${i + 1}.toml`));
        expect(text).toMatch(/cannot express step drops/);
        const c = parseToml(text) as Record<string, Record<string, unknown>>;
        for (const sec of ['job', 'model', 'optimizer', 'lr_scheduler', 'training', 'parallelism', 'checkpoint']) expect(c[sec], sec).toBeDefined();
        expect(c.model).toMatchObject({ name: 'llama3', flavor: `scaling-${p.id}` });
        expect(c.optimizer).toMatchObject({ name: 'AdamW', beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1 });
        expect(c.optimizer.lr as number).toBeCloseTo(p.lr * [1, 0.316, 0.1][i], 15);
        expect(c.lr_scheduler).toEqual({ warmup_steps: i === 0 ? p.schedule.warmupSteps : 0, decay_ratio: 0 });
        expect(text).toMatch(/^decay_ratio = 0\.0$/m); // a TOML float, as the dataclass field is
        expect(c.training).toMatchObject({ steps: ends[i], seq_len: 4096, global_batch_size: p.batchSeqs, max_norm: 1 });
        expect(c.parallelism).toMatchObject({ tensor_parallel_degree: 2, pipeline_parallel_degree: 2 });
        expect(c.checkpoint.enable).toBe(true);
        expect(c.checkpoint.last_save_model_only).toBe(false);
        expect(c.checkpoint.exclude_from_loading ?? []).toEqual(i === 0 ? [] : ['lr_scheduler']);
      }
      expect(read(join(dir, 'model_args.py'))).toContain(`llama3_args["scaling-${p.id}"] = TransformerModelArgs(`);
      const syntax = spawnSync('bash', ['-n', join(dir, 'train.sh')], { encoding: 'utf8' });
      expect(syntax.status, syntax.stderr).toBe(0);
    }
  });

  it('a cosine plan is one job with the cosine expressed directly', async () => {
    const cos = makePlan([1e19], laws, path, { ...DEFAULT_PLAN_OPTIONS, points: 3, schedule: 'cosine' });
    const out = join(tmp(), 'cos');
    await exportPlan(cos, 'torchtitan', out);
    const p = allPoints(cos)[0];
    const c = parseToml(read(join(out, p.id, 'job.toml'))) as Record<string, Record<string, unknown>>;
    expect(c.lr_scheduler).toEqual({ warmup_steps: p.schedule.warmupSteps, decay_type: 'cosine', min_lr_factor: 0.1 });
    expect(c.training.steps).toBe(p.steps);
  });
});

describe('layout and a safe --out', () => {
  it('DIR/<point id>/ per point, a manifest, and our marker', () => {
    const out = dirs['grid/hf'];
    const ids = allPoints(grid).map((p) => p.id);
    expect(readdirSync(out).sort()).toEqual(['.scaling-output', 'export.json', ...ids].sort());
    const m = json(join(out, 'export.json'));
    expect(m.points.map((p: { id: string; dir: string }) => [p.id, p.dir])).toEqual(ids.map((id) => [id, id]));
    expect(m.target).toBe('hf');
  });

  it('refuses a directory it did not write, and an export with files added (checkpoints), leaving them as they were; replaces its own', async () => {
    const foreign = join(tmp(), 'mine');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'keep me');
    await expect(exportPlan(gqa, 'hf', foreign)).rejects.toThrow(/--out.*did not write|did not write.*--out|refusing/);
    expect(read(join(foreign, 'notes.txt'))).toBe('keep me');

    const out = join(tmp(), 'again');
    await exportPlan(gqa, 'megatron', out);
    await exportPlan(gqa, 'hf', out); // its own earlier export: replaced
    expect(existsSync(join(out, allPoints(gqa)[0].id, 'config.json'))).toBe(true);
    const ckpt = join(out, allPoints(gqa)[0].id, 'checkpoints');
    mkdirSync(ckpt);
    writeFileSync(join(ckpt, 'latest_checkpointed_iteration.txt'), '100');
    await expect(exportPlan(gqa, 'hf', out)).rejects.toThrow(/did not write/);
    expect(read(join(ckpt, 'latest_checkpointed_iteration.txt'))).toBe('100');
  });

  it('CLI: `scaling export PLAN --to megatron --out DIR` prints the schedule note; a preset name works; bad input is one line, exit 2', () => {
    const dir = tmp();
    const planPath = join(dir, 'plan.json');
    writePlan(planPath, gqa);
    const r = runCli(['export', planPath, '--to', 'megatron', '--out', join(dir, 'mg')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/exported 4 grid points to .*mg\/<point id>\//);
    expect(r.stdout).toMatch(/note: megatron: Megatron-LM has no multi-step LR schedule/);
    expect(json(join(dir, 'mg', 'export.json')).plan.path).toBe(planPath);
    const p67 = runCli(['export', '67b', '--to', 'hf', '--out', join(dir, '67b')]);
    expect(p67.code, p67.stderr).toBe(0);
    expect(json(join(dir, '67b', '67b', 'config.json')).num_hidden_layers).toBe(95);
    const bad = runCli(['export', planPath, '--to', 'deepspeed', '--out', join(dir, 'x')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--to/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});
