// The closing lines of `scaling run`: per dataset the fitted exponents with intervals (next to the paper's), how many warnings the
// fit raised and the most important ones (each once), and where the report is; the same as JSON for `scaling run --json`.
import type { ExperimentFile } from '../schema/experiment.ts';
import type { LawsFile, PowerLaw } from '../schema/laws.ts';
import { duration, withInterval } from '../util/format.ts';
import { fitWarnings, warningText, type FitWarning } from '../report/warnings.ts';
import { EXPONENT_MAX_WIDTH, exponentDifference } from '../report/summary.ts';
import { lawSupport } from '../report/support.ts';
import type { RunResult } from './experiment.ts';
import { terminalPath } from '../util/terminal-path.ts';

/** Warnings shown per dataset in the closing lines (the report lists them all). */
export const TOP_WARNINGS = 3;

/** The exponent with its interval; an unsupported law says so briefly (its reason codes; the warnings below explain them). */
function exponent(law: PowerLaw | undefined, laws: LawsFile): string {
  if (!law) return 'n/a';
  const s = lawSupport(law, laws.details?.diagnostics);
  const codes = law.reasons?.length ? law.reasons.join(', ') : s.reason;
  return withInterval(law.exponent, law.ci?.exponent, { maxWidth: EXPONENT_MAX_WIDTH }) + (s.drawn ? '' : ` (not supported: ${codes})`);
}

/** A path for this terminal (src/util/terminal-path.ts). */
const here = (p: string) => terminalPath(p);

/** The first two datasets' difference in a, when both fits have the law and keep bootstrap draws (a difference can be resolved
 * even where each exponent's own interval is too wide to draw the law: their noise partly cancels only if shared, so it rarely is). */
function datasetDifference(r: RunResult) {
  const [A, B] = r.datasets.filter((d) => d.laws?.laws.scale);
  return A && B ? exponentDifference(A.laws!, B.laws!, A.dataset, B.dataset) : undefined;
}

export function formatRunSummary(exp: ExperimentFile, r: RunResult): string {
  const lines: string[] = [];
  if (r.interrupted) return `${exp.name}: interrupted after ${duration(r.elapsedS)}; rerun to resume. Outputs so far: ${here(r.out)}`;
  if (!r.report) {
    lines.push(`${exp.name}: plans written (${duration(r.elapsedS)}):`);
    for (const d of r.datasets) lines.push(`  ${d.dataset}: ${here(d.plan)}`);
    return lines.join('\n');
  }
  lines.push(`${exp.name}: finished in ${duration(r.elapsedS)}`);
  for (const d of r.datasets) {
    const laws = d.laws!;
    const l = laws.laws;
    const ciLevel = laws.ciLevel ? `${Math.round(laws.ciLevel * 100)}% CI` : 'CI';
    if (exp.study === 'hparams') lines.push(`  ${d.dataset}: η_opt ∝ C^${exponent(l.lr, laws)}, B_opt ∝ C^${exponent(l.batch, laws)} (${ciLevel}; paper Eq. 1: −0.125, 0.327)`);
    else lines.push(`  ${d.dataset}: a = ${exponent(l.scale, laws)}, b = ${exponent(l.data, laws)} (${ciLevel}; paper: a = 0.524, b = 0.476)`);
    if (d.adaptive) {
      // The adaptive rounds (docs/next.md): the target's half-width before and after, the compute they added, why they stopped.
      const a = d.adaptive;
      const hw = (x: number) => (Number.isFinite(x) ? `±${x.toFixed(3)}` : 'no interval');
      lines.push(`    adaptive ${exp.adaptive!.target}: ${hw(a.rounds[0].reading.halfWidth)} → ${hw(a.rounds[a.rounds.length - 1].reading.halfWidth)} in ${a.rounds.length - 1} round(s), ${a.spent.toExponential(2)} extra FLOPs (${a.reached ? 'goal reached' : `stopped: ${a.stoppedBy}`})`);
    }
    const ws = fitWarnings(laws);
    if (ws.length) {
      lines.push(`    ${ws.length} warning${ws.length === 1 ? '' : 's'} from the fit${ws.length > TOP_WARNINGS ? ` (the ${TOP_WARNINGS} most important; all in the report)` : ''}:`);
      for (const w of ws.slice(0, TOP_WARNINGS)) lines.push(`    - ${warningText(w)}`);
    } else lines.push('    no warnings from the fit');
  }
  const diff = datasetDifference(r);
  if (diff) lines.push(`  ${diff.text}: ${diff.result.significant ? 'the datasets differ' : 'the datasets are not resolved'} (paper: better data → larger a)`);
  lines.push(`  fits:   ${r.datasets.map((d) => here(d.fit!)).join(', ')}`);
  lines.push(`  report: ${here(r.report)} (open it in a browser; it works offline)`);
  return lines.join('\n');
}

/** `scaling run --json`: the same facts as a JSON object. */
export interface RunSummaryJson {
  experiment: string;
  study: string;
  interrupted: boolean;
  elapsedS: number;
  out: string;
  report?: string;
  datasets: {
    dataset: string;
    plan: string;
    fit?: string;
    train?: Record<string, number>;
    laws?: Record<string, { exponent: number; interval?: [number, number]; supported: boolean; reason?: string }>;
    warnings?: FitWarning[];
  }[];
  /** a of the first dataset minus a of the second, with its interval from both fits' bootstrap draws (src/fit/compare.ts). */
  difference?: { labels: [string, string]; value: number; interval: [number, number]; level: number; significant: boolean };
}

export function runSummaryJson(exp: ExperimentFile, r: RunResult): RunSummaryJson {
  return {
    experiment: exp.name,
    study: exp.study,
    interrupted: r.interrupted,
    elapsedS: r.elapsedS,
    out: here(r.out),
    ...(r.report ? { report: here(r.report) } : {}),
    datasets: r.datasets.map((d) => ({
      dataset: d.dataset,
      plan: here(d.plan),
      ...(d.fit ? { fit: here(d.fit) } : {}),
      ...(d.train ? { train: { ...d.train.counts } } : {}),
      ...(d.laws
        ? {
            laws: Object.fromEntries(
              (['scale', 'data', 'lr', 'batch'] as const).filter((k) => d.laws!.laws[k]).map((k) => {
                const law = d.laws!.laws[k]!;
                const s = lawSupport(law, d.laws!.details?.diagnostics);
                return [k, { exponent: law.exponent, ...(law.ci ? { interval: law.ci.exponent } : {}), supported: s.drawn, ...(s.reason ? { reason: s.reason } : {}) }];
              }),
            ),
            warnings: fitWarnings(d.laws),
          }
        : {}),
    })),
    ...differenceJson(r),
  };
}

function differenceJson(r: RunResult): Pick<RunSummaryJson, 'difference'> {
  const d = datasetDifference(r)?.result;
  return d ? { difference: { labels: d.labels, value: d.difference, interval: d.interval, level: d.level, significant: d.significant } } : {};
}
