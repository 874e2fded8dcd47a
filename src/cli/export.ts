// `scaling export PLAN.json --to hf|megatron|torchtitan --out DIR`: every grid point as DIR/<point id>/ configs for another trainer.
import type { CommandModule } from 'yargs';
import { existsSync } from 'node:fs';
import { EXPORT_TARGETS, checkExportDir, exportPlan, type ExportTarget } from '../export/export.ts';
import { PRESETS, preset } from '../flops/presets.ts';
import { loadLaws } from '../laws/load.ts';
import { presetPlan } from '../plan/preset-plan.ts';
import { readPlan, type PlanFile } from '../schema/plan.ts';
import { sha256File } from '../util/hash.ts';

interface ExportArgs {
  plan: string;
  to: ExportTarget;
  out: string;
}

export const exportCommand: CommandModule<object, ExportArgs> = {
  command: 'export <plan>',
  describe: 'Write every grid point of a plan as configs for Hugging Face (LlamaForCausalLM), Megatron-LM or torchtitan: DIR/<point id>/…',
  builder: (y) =>
    y
      .positional('plan', { type: 'string', demandOption: true, describe: `plan JSON (scaling plan --out plan.json), or a preset: ${Object.keys(PRESETS).join(', ')} (paper Table 2 at 2T tokens)` })
      .option('to', { choices: EXPORT_TARGETS, demandOption: true, describe: 'target trainer' })
      .option('out', { type: 'string', demandOption: true, describe: 'output folder (new, empty, or an earlier export: anything else is refused)' })
      .example('$0 export plan.json --to megatron --out export/megatron', 'pretrain_gpt.py arguments + train.sh per point')
      .example('$0 export 67b --to hf --out export/67b', "DeepSeek 67B's config.json (Table 2 shape) and its run") as never,
  handler: async (a) => {
    checkExportDir(a.out); // refuse before reading anything large
    let plan: PlanFile;
    let planPath: string | undefined;
    let planSha256: string | undefined;
    if (!existsSync(a.plan) && PRESETS[a.plan.toLowerCase()]) {
      const { laws, path } = loadLaws();
      plan = presetPlan(preset(a.plan, 'plan'), laws, path);
    } else {
      plan = readPlan(a.plan);
      planPath = a.plan;
      planSha256 = sha256File(a.plan);
    }
    const r = await exportPlan(plan, a.to, a.out, { planPath, planSha256 });
    const files = [...new Set(r.points.flatMap((p) => p.files))].join(', ');
    process.stdout.write(`exported ${r.points.length} grid point${r.points.length === 1 ? '' : 's'} to ${r.out}/<point id>/ for ${r.target}: ${files} (manifest: ${r.out}/export.json)\n`);
    for (const n of r.notes) process.stdout.write(`note: ${n}\n`);
  },
};
