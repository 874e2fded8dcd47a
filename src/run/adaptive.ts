// `scaling run` with `adaptive: {rounds, spendPerRound, target, halfWidth}`: after the initial grid of a dataset, rounds of
// fit → `scaling next` → train (src/next/adaptive.ts) into the same runs folder. Each round writes plans/<ds>-next-<k>.json and
// fits/<name>-<ds>-round<k>.json; a rerun reuses a round's plan file, so an interrupted loop resumes where it stopped.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentFile } from '../schema/experiment.ts';
import { allPoints, readPlan, writePlan, type PlanFile } from '../schema/plan.ts';
import { writeLaws, type LawsFile } from '../schema/laws.ts';
import { parseNextTarget } from '../schema/settings.ts';
import { fitRunFiles } from '../fit/fit-files.ts';
import type { FitOptions } from '../fit/types.ts';
import { trainPlan, type TrainPlanOptions } from '../train/workers.ts';
import { runFiles } from '../train/loop.ts';
import { adaptiveLoop, type AdaptiveResult } from '../next/adaptive.ts';
import { nextForFit } from '../next/next.ts';
import { targetPredict } from '../next/target.ts';
import { InputError } from '../util/errors.ts';

export interface AdaptiveDataset {
  dataset: string;
  /** The initial plan and the runs folder. */
  plan: string;
  runsDir: string;
  /** Where the final fit goes (the experiment's fit of this dataset). */
  fit: string;
}

export interface AdaptiveRunResult {
  result: AdaptiveResult;
  /** Every plan of the dataset (initial, then rounds) and the run CSVs fitted last. */
  plans: string[];
  runFiles: string[];
}

/** The run CSV of every point of the plans that has one, in plan order. */
function runFilesOf(plans: PlanFile[], runsDir: string): string[] {
  return plans.flatMap((p) => allPoints(p)).map((p) => runFiles(runsDir, p.id).csv).filter((f) => existsSync(f));
}

/** Runs the adaptive rounds of one dataset; `fit` carries the experiment's fit settings, `train` its training options. */
export async function runAdaptive(
  exp: ExperimentFile,
  d: AdaptiveDataset,
  o: { file: string; root: string; fit: Partial<FitOptions>; train: Omit<TrainPlanOptions, 'runsDir' | 'dataset'>; log: (line: string) => void },
): Promise<AdaptiveRunResult & { laws: LawsFile }> {
  const a = exp.adaptive!;
  const target = parseNextTarget(a.target, { field: 'adaptive.target' });
  const plans: PlanFile[] = [readPlan(d.plan)];
  const planPaths = [d.plan];
  const roundPlan = (k: number) => join(o.root, 'plans', `${d.dataset}-next-${k}.json`);
  const roundFit = (k: number) => join(o.root, 'fits', `${exp.name}-${d.dataset}-round${k}.json`);
  const predict = [...new Set([...(o.fit.predict ?? []), ...targetPredict(target)])];
  let files: string[] = [];
  const result = await adaptiveLoop(
    { rounds: a.rounds, spendPerRound: a.spendPerRound, target, halfWidth: a.halfWidth, maxRuns: a.maxRuns },
    {
      fit: (k) => {
        files = runFilesOf(plans, d.runsDir);
        const laws = fitRunFiles(files, { input: { dataset: d.dataset }, fit: { ...o.fit, predict } });
        writeLaws(roundFit(k), laws);
        return laws;
      },
      propose: (laws, k, p) => {
        const path = roundPlan(k);
        if (existsSync(path)) {
          o.log(`    round ${k}: reusing ${path}`);
          return { plan: readPlan(path) };
        }
        const request = () => nextForFit(roundFit(k - 1), {
          spend: p.spend, target: p.target, ...(p.goal !== undefined ? { goal: p.goal } : {}), maxRuns: p.maxRuns ?? 12,
          simulations: a.simulations ?? 8, finalSimulations: Math.max(24, 2 * (a.simulations ?? 8)), bootstrap: 200, seed: 1, shortlist: 6, smaller: false,
          runs: files, likePlan: d.plan, tag: `r${k}`, log: (l) => o.log(`    next: ${l}`), ...(a.noise !== undefined ? { noise: a.noise } : {}),
        }, laws);
        let proposal;
        try {
          ({ proposal } = request());
        } catch (e) {
          // The flags of `scaling next` are fields of the experiment here.
          if (e instanceof InputError && e.field?.startsWith('--')) throw new InputError(e.message.replace(/^--[a-z-]+: /, ''), { file: o.file, field: `adaptive.${e.field.slice(2)}` });
          throw e;
        }
        if (proposal.plan) writePlan(path, proposal.plan);
        return { plan: proposal.plan, proposal };
      },
      train: async (plan, k) => {
        plans.push(plan);
        planPaths.push(roundPlan(k));
        const s = await trainPlan(plan, { ...o.train, runsDir: d.runsDir, dataset: d.dataset, planFile: roundPlan(k) });
        const flops = s.points.filter((p) => p.status === 'done').reduce((t, p) => t + p.flops, 0);
        return { interrupted: s.interrupted, flops };
      },
      log: (l) => o.log(`  ${d.dataset}: ${l}`),
    },
  );
  writeLaws(d.fit, result.laws);
  return { result, laws: result.laws, plans: planPaths, runFiles: files };
}
