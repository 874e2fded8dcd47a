// `scaling next FITS.json --spend C`: the runs that shrink a target's 95% interval most per FLOP, as a table and a plan file (src/next).
import type { CommandModule } from 'yargs';
import { mergePlans, nextForFit } from '../next/next.ts';
import { DEFAULT_NEXT_OPTIONS } from '../next/propose.ts';
import { formatProposal } from '../next/format.ts';
import { DEFAULT_NEXT_TARGET, NEXT_TARGET_FORMS, parseNextTarget } from '../schema/settings.ts';
import { writePlan } from '../schema/plan.ts';
import { readLaws } from '../schema/laws.ts';
import { recordedInputOptions } from '../next/inputs.ts';
import { checkOutputFile } from '../util/safe-out.ts';
import { InputError } from '../util/errors.ts';
import { positiveInteger, positiveNumber } from './options.ts';

interface NextArgs {
  fits: string;
  spend: number;
  target: string;
  maxRuns: number;
  out?: string;
  merged?: string;
  runs?: string | string[];
  plan?: string;
  seq?: number;
  vocab?: number;
  goal?: number;
  noise?: number;
  seedNoise?: number;
  simulations: number;
  bootstrap: number;
  seed: number;
  shortlist: number;
  smaller: boolean;
  tag?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export const nextCommand: CommandModule<object, NextArgs> = {
  command: 'next <fits>',
  describe: 'Propose the runs that shrink a target\'s 95% interval (a, b, loss@7b, loss@C, M_opt@C) most per FLOP, as a plan file scaling train accepts',
  builder: (y) =>
    y
      .positional('fits', { type: 'string', demandOption: true, describe: 'fits file written by scaling fit (its runs are read from provenance.inputs)' })
      .option('spend', { type: 'number', demandOption: true, describe: 'extra compute to spend, FLOPs (scale × tokens, as the budgets count it)' })
      .option('target', { type: 'string', default: DEFAULT_NEXT_TARGET, describe: `what to pin down: ${NEXT_TARGET_FORMS.join(', ')} (C a budget like 1e21; loss@ also takes 67b or a shape)` })
      .option('max-runs', { type: 'number', default: DEFAULT_NEXT_OPTIONS.maxRuns, describe: 'at most this many new runs' })
      .option('out', { type: 'string', describe: 'write the proposed runs as a plan file (what scaling train / export / slurm read), e.g. next-plan.json' })
      .option('merged', { type: 'string', describe: 'also write the runs\' own plan with the proposed points added (one plan of every run, for scaling fit --plan and scaling status)' })
      .option('runs', { type: 'string', describe: "the fit's runs (paths or quoted globs, repeatable) instead of its recorded inputs" })
      .option('plan', { type: 'string', describe: 'the plan the runs came from: new points copy its sequence length, vocabulary, schedule, warm-up and shape-family rules' })
      .option('seq', { type: 'number', describe: 'sequence length of new points (default: the runs\', else the plan\'s)' })
      .option('vocab', { type: 'number', describe: 'vocabulary of new points (default: the runs\', else the plan\'s)' })
      .option('goal', { type: 'number', describe: 'stop adding runs once the expected half-width is at most this (e.g. 0.05 for a)' })
      .option('noise', { type: 'number', describe: 'σ of one run\'s final loss (default: pooled residuals of the IsoFLOP curves)' })
      .option('seed-noise', { type: 'number', describe: 'σ between seeds of one shape (default: from replicate runs; unknown → no extra seeds)' })
      .option('simulations', { type: 'number', default: DEFAULT_NEXT_OPTIONS.simulations, describe: 'simulated refits per candidate and step' })
      .option('bootstrap', { type: 'number', default: DEFAULT_NEXT_OPTIONS.bootstrap, describe: 'bootstrap resamples per simulated refit' })
      .option('seed', { type: 'number', default: DEFAULT_NEXT_OPTIONS.seed, describe: 'seed of the simulations' })
      .option('shortlist', { type: 'number', default: DEFAULT_NEXT_OPTIONS.shortlist, describe: 'candidates simulated per step (picked by the linearised variance per FLOP)' })
      .option('smaller', { type: 'boolean', default: DEFAULT_NEXT_OPTIONS.smaller, describe: 'also offer a budget half a decade below the smallest (the cheapest lever arm; small models may follow the law less well)' })
      .option('tag', { type: 'string', describe: 'tag in the new run ids (default: 6 hex digits of the data hash)' })
      .option('json', { type: 'boolean', describe: 'print the proposal as JSON instead of the table' })
      .option('quiet', { type: 'boolean', describe: 'no progress lines on stderr' })
      .option('verbose', { type: 'boolean', describe: 'log every simulated candidate\'s expected gain on stderr' })
      .example('$0 next fits/micro-curated.json --spend 3e11 --out next-plan.json', 'runs that narrow a most within 3e11 FLOPs')
      .example('$0 next fits/mine.json --spend 1e21 --target loss@7b --max-runs 8', 'pin down the 7B loss prediction') as never,
  handler: (a) => {
    // Every flag checked, and the output path too, before any simulation.
    const target = parseNextTarget(a.target, { field: '--target' });
    const spend = positiveNumber(a.spend, '--spend');
    if (a.out === '-') throw new InputError('the plan needs a file name (the table or --json go to standard output)', { field: '--out' });
    if (a.out !== undefined) checkOutputFile(a.out, { flag: '--out' });
    if (a.merged !== undefined) checkOutputFile(a.merged, { flag: '--merged' });
    const runs = a.runs === undefined ? undefined : (Array.isArray(a.runs) ? a.runs : [a.runs]).map(String);
    const log = a.quiet ? undefined : (l: string) => process.stderr.write(`next: ${l}\n`);
    const laws = readLaws(a.fits);
    if (a.merged !== undefined && !a.plan && !recordedInputOptions(laws).plan) throw new InputError('needs the plan the runs came from: give --plan PLAN.json', { field: '--merged' });
    const { proposal, runs: fr, basePlan, basePlanPath } = nextForFit(a.fits, {
      spend,
      target,
      maxRuns: positiveInteger(a.maxRuns, '--max-runs'),
      simulations: positiveInteger(a.simulations, '--simulations', 2),
      finalSimulations: Math.max(2 * positiveInteger(a.simulations, '--simulations', 2), DEFAULT_NEXT_OPTIONS.finalSimulations),
      bootstrap: positiveInteger(a.bootstrap, '--bootstrap', 20),
      seed: positiveInteger(a.seed, '--seed', 0),
      shortlist: positiveInteger(a.shortlist, '--shortlist'),
      smaller: a.smaller,
      ...(a.goal !== undefined ? { goal: positiveNumber(a.goal, '--goal') } : {}),
      ...(a.noise !== undefined ? { noise: positiveNumber(a.noise, '--noise') } : {}),
      ...(a.seedNoise !== undefined ? { seedNoise: positiveNumber(a.seedNoise, '--seed-noise') } : {}),
      ...(a.tag !== undefined ? { tag: a.tag } : {}),
      ...(runs ? { runs } : {}),
      ...(a.plan ? { likePlan: a.plan } : {}),
      ...(a.seq !== undefined ? { seqLen: positiveInteger(a.seq, '--seq', 2) } : {}),
      ...(a.vocab !== undefined ? { vocab: positiveInteger(a.vocab, '--vocab', 2) } : {}),
      log,
      verbose: a.verbose,
    }, laws);
    if (a.json) {
      const { plan: _plan, ...rest } = proposal;
      process.stdout.write(JSON.stringify(rest, null, 2) + '\n');
    } else {
      process.stdout.write(formatProposal(proposal, { fitsPath: a.fits, runs: fr.observations.length, budgets: new Set(fr.observations.map((o) => o.budget)).size }));
    }
    if (a.out && proposal.plan) {
      writePlan(a.out, proposal.plan);
      process.stderr.write(`wrote ${a.out} (${proposal.runs.length} runs): scaling train ${a.out} --runs-dir DIR, then refit with the old and new runs\n`);
    } else if (a.out) process.stderr.write(`no runs proposed: ${a.out} not written\n`);
    if (a.merged && proposal.plan) {
      if (!basePlan) throw new InputError('needs the plan the runs came from: give --plan PLAN.json', { field: '--merged' });
      writePlan(a.merged, mergePlans(basePlan, proposal.plan));
      process.stderr.write(`wrote ${a.merged}: ${basePlanPath} with the ${proposal.runs.length} proposed points added\n`);
    }
  },
};
