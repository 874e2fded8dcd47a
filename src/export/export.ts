// `scaling export`: every grid point of a plan as a folder DIR/<point id>/ of configs for Hugging Face, Megatron-LM or torchtitan.
//
// Layout (docs/export.md; `scaling slurm --command-template '…{export_dir}…'` points at DIR/<point id>):
//   DIR/.scaling-output        marker: DIR was written by this tool (only such a DIR, or an empty one, is ever replaced)
//   DIR/export.json            manifest: target, plan (path, sha256), schedule note, one entry per point {id, dir, files, budget, M, tokens}
//   DIR/<id>/…                 hf: config.json, training.json · megatron: args.json, train.sh · torchtitan: phase1..3.toml or job.toml,
//                              model_args.json, model_args.py, train.sh
import { chmodSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BudgetPlan, type GridPoint, type PlanFile, type ShapeFamilySpec } from '../schema/plan.ts';
import { InputError } from '../util/errors.ts';
import { IoError, OUTPUT_MARKER, checkOutputDir, hasOutputMarker, writeOutputDir } from '../util/safe-out.ts';
import { hfConfig, hfTraining } from './hf.ts';
import { megatronArgs, megatronScheduleNote, megatronScript } from './megatron.ts';
import { torchtitanJobs, torchtitanModelArgs, torchtitanModelArgsPy, torchtitanScheduleNote, torchtitanScript, torchtitanToml } from './torchtitan.ts';
import { trainingSpec } from './training.ts';
import { exportedLadders } from './ladder.ts';

export const EXPORT_TARGETS = ['hf', 'megatron', 'torchtitan'] as const;
export type ExportTarget = (typeof EXPORT_TARGETS)[number];

/** The manifest version written to DIR/export.json. */
export const EXPORT_FORMAT = 'scaling.export/1';

export interface ExportedPoint {
  id: string;
  /** Folder relative to DIR (= the point id). */
  dir: string;
  files: string[];
  budget: number;
  M: number;
  tokens: number;
}

export interface ExportResult {
  target: ExportTarget;
  out: string;
  points: ExportedPoint[];
  /** What the target can and cannot express of the schedule (one line per distinct note). */
  notes: string[];
}

/** The family constraints a point was planned under (tp/pp from its budget; 1 for plans written before families). */
function familyOf(b: BudgetPlan): Pick<ShapeFamilySpec, 'tp' | 'pp'> {
  return { tp: b.family?.tp ?? 1, pp: b.family?.pp ?? 1 };
}

/** The files of one point for a target: name → contents (and the schedule note). */
export function pointFiles(p: GridPoint, target: ExportTarget, family: Pick<ShapeFamilySpec, 'tp' | 'pp'>, plan: Pick<PlanFile, 'representation'>): { files: Record<string, string>; note: string } {
  const t = trainingSpec(p);
  if (target === 'hf') {
    const sched = p.schedule.name === 'multistep'
      ? `the multi-step schedule = MultiStepLR(milestones, gamma=${p.schedule.factors[0]}) after a LinearLR warm-up (γ² = ${(p.schedule.factors[0] ** 2).toFixed(4)} for the paper's ${p.schedule.factors[1]})`
      : `${p.schedule.name} schedule`;
    return {
      files: { 'config.json': JSON.stringify(hfConfig(p.shape, t.initStd), null, 2) + '\n', 'training.json': JSON.stringify(hfTraining(p, plan.representation), null, 2) + '\n' },
      note: `hf: config.json for LlamaForCausalLM; training.json holds the run, its LR schedule as phases and as PyTorch schedulers: ${sched}`,
    };
  }
  if (target === 'megatron') {
    const note = megatronScheduleNote(t);
    return { files: { 'args.json': JSON.stringify(megatronArgs(p, family), null, 2) + '\n', 'train.sh': megatronScript(p, family) }, note: `megatron: ${note}` };
  }
  const note = torchtitanScheduleNote(t);
  const jobs = torchtitanJobs(p, family);
  const files: Record<string, string> = {};
  for (const j of jobs) files[j.file] = torchtitanToml(j, p, note);
  files['model_args.json'] = JSON.stringify({ flavor: `scaling-${p.id}`, seq_len: p.shape.seqLen, ...torchtitanModelArgs(p.shape) }, null, 2) + '\n';
  files['model_args.py'] = torchtitanModelArgsPy(p);
  files['train.sh'] = torchtitanScript(p, jobs, note);
  return { files, note: `torchtitan: ${note}` };
}

/**
 * Refuses, before any work, an --out this command may not replace: it must be absent, empty, or an earlier export of this tool
 * holding only the files that export wrote. Training writes checkpoints and logs into DIR/<point id>/ (train.sh's defaults):
 * an export folder with anything added is never replaced, so re-exporting cannot delete a run's checkpoints.
 */
export function checkExportDir(out: string): void {
  const { exists } = checkOutputDir(out, { flag: '--out', kind: 'export' });
  if (!exists || !hasOutputMarker(out)) return;
  const refuse = (why: string): never => {
    throw new IoError(`${why}: refusing to replace it (choose a new --out, or remove it yourself)`, { file: out, field: '--out' });
  };
  let marker: { kind?: string };
  try {
    marker = JSON.parse(readFileSync(join(out, OUTPUT_MARKER), 'utf8'));
  } catch {
    return refuse('has an unreadable output marker');
  }
  if (!String(marker.kind ?? '').startsWith('export')) refuse(`was written by this tool as '${marker.kind ?? 'output'}', not as an export`);
  let manifest: { points?: { dir: string; files: string[] }[] };
  try {
    manifest = JSON.parse(readFileSync(join(out, 'export.json'), 'utf8'));
  } catch {
    return refuse('is an export without a readable export.json');
  }
  const expected = new Set([OUTPUT_MARKER, 'export.json']);
  for (const p of manifest.points ?? []) {
    expected.add(p.dir);
    for (const f of p.files) expected.add(`${p.dir}/${f}`);
  }
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(out, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (!expected.has(r)) refuse(`holds '${r}', which the export did not write (checkpoints, logs?)`);
      if (e.isDirectory()) walk(r);
    }
  };
  walk('');
}

/**
 * Writes DIR atomically: built in a temporary sibling, then renamed over DIR — which must be absent, empty, or an earlier
 * output of this tool (marker inside); anything else is refused with one line naming --out (src/util/safe-out.ts).
 */
export async function exportPlan(plan: PlanFile, target: ExportTarget, out: string, o: { planPath?: string; planSha256?: string } = {}): Promise<ExportResult> {
  if (!(EXPORT_TARGETS as readonly string[]).includes(target)) throw new InputError(`unknown target '${target}' (choices: ${EXPORT_TARGETS.join(', ')})`, { field: '--to' });
  checkExportDir(out);
  const points: ExportedPoint[] = [];
  const notes = new Set<string>();
  const byId = new Map<string, { files: Record<string, string> }>();
  for (const b of plan.budgets) {
    for (const p of b.points) {
      const { files, note } = pointFiles(p, target, familyOf(b), plan);
      notes.add(note);
      byId.set(p.id, { files });
      points.push({ id: p.id, dir: p.id, files: Object.keys(files), budget: p.budget, M: p.M, tokens: p.tokens });
    }
  }
  if (points.length === 0) throw new InputError('the plan has no grid points to export', { file: o.planPath, field: 'budgets' });
  const manifest = {
    format: EXPORT_FORMAT,
    target,
    created: new Date().toISOString(),
    plan: { path: o.planPath ?? null, sha256: o.planSha256 ?? null, representation: plan.representation, laws: plan.laws.name },
    layout: 'DIR/<point id>/ holds one grid point; scaling slurm --command-template substitutes {point} and {export_dir} = DIR/<point id>',
    notes: [...notes],
    points,
    // Token ladders (docs/ladder.md): the trunk to train once and the checkpoint steps its branch points resume from.
    ...(plan.ladders?.length ? { ladders: exportedLadders(plan) } : {}),
  };
  await writeOutputDir(out, (tmp) => {
    writeFileSync(join(tmp, 'export.json'), JSON.stringify(manifest, null, 2) + '\n');
    for (const pt of points) {
      const dir = join(tmp, pt.dir);
      mkdirSync(dir);
      for (const [name, text] of Object.entries(byId.get(pt.id)!.files)) {
        writeFileSync(join(dir, name), text);
        if (name.endsWith('.sh')) chmodSync(join(dir, name), 0o755);
      }
    }
  }, { flag: '--out', kind: `export:${target}` });
  return { target, out, points, notes: [...notes] };
}
