// `scaling report FITS… --out DIR`: charts (Vega-Lite → SVG/PNG) and one offline HTML page comparing the fits (thin layer over src/report/).
import type { CommandModule } from 'yargs';
import { InputError } from '../util/errors.ts';
import { loadDatasets, loadReference, loadRuns, paperTargets, parseReportTargets } from '../report/inputs.ts';
import type { ReportInput } from '../report/types.ts';
import { EXTRAPOLATION_LIMIT } from '../laws/extrapolation.ts';
import { MultiProgress } from '../util/progress.ts';
import { positiveNumber } from './options.ts';

interface ReportArgs {
  fits: string[];
  runs?: string[];
  out: string;
  title?: string;
  png: boolean;
  svg: boolean;
  reference?: string;
  paper: boolean;
  targets?: string[];
  maxExtrapolation?: number;
  json?: boolean;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <fits..>',
  describe: 'Charts and an offline HTML page from fits files (several files = datasets compared on shared axes)',
  builder: (y) =>
    y
      .positional('fits', { type: 'string', array: true, demandOption: true, describe: 'laws/fits JSON files written by `scaling fit`' })
      .option('runs', { type: 'string', array: true, describe: "run CSVs or glob patterns (quote them: 'runs/**/*.csv') for the training-curve chart" })
      .option('out', { type: 'string', demandOption: true, describe: 'report directory (replaced atomically)' })
      .option('title', { type: 'string', describe: 'page title (default: the datasets compared)' })
      .option('png', { type: 'boolean', default: true, describe: 'write one PNG per chart (--no-png to skip)' })
      .option('svg', { type: 'boolean', default: true, describe: 'write one SVG per chart (--no-svg to skip)' })
      .option('reference', { type: 'string', describe: 'laws drawn as dashed references (default: fits/deepseek-llm.json)' })
      .option('paper', { type: 'boolean', default: true, describe: 'draw the reference laws (--no-paper to leave them out)' })
      .option('targets', { type: 'string', array: true, describe: 'draw these targets even far beyond the fitted compute (a separate panel): 7b, 67b, budgets like 1e21, n_layer=…,d_model=… (default: 7b,67b only when within --max-extrapolation)' })
      .option('max-extrapolation', { type: 'number', default: EXTRAPOLATION_LIMIT, describe: 'factor beyond the fitted budgets up to which the default targets are drawn; predictions beyond it are flagged' })
      .option('json', { type: 'boolean', describe: 'print a JSON summary (files, warnings, targets drawn with their extrapolation factors) instead of the file list' })
      .example('$0 report fits/marin-dclm.json fits/marin-comma.json --out reports/marin', 'compare two datasets')
      .example("$0 report fits/micro-curated.json fits/micro-noisy.json --runs 'results/micro/runs/**/*.csv' --out reports/micro", 'with training curves')
      .example('$0 report fits/micro-hparams.json --targets 7b,67b --out reports/hparams', 'DeepSeek 7B/67B drawn in a far-extrapolation panel') as never,
  handler: async (a: ReportArgs) => {
    // vega and resvg load in ~1.5 s: only when a report is really written.
    const { writeReport, reportSummary } = await import('../report/report.ts');
    if (a.out.trim() === '') throw new InputError('must name a directory', { field: '--out' });
    const maxExtrapolation = positiveNumber(a.maxExtrapolation ?? EXTRAPOLATION_LIMIT, '--max-extrapolation');
    const asked = a.targets?.length ? parseReportTargets(a.targets) : undefined;
    const datasets = loadDatasets(a.fits);
    const runs = a.runs?.length ? loadRuns(a.runs) : undefined;
    const ref = a.paper ? loadReference(a.reference) : undefined;
    const input: ReportInput = {
      title: a.title ?? `Scaling laws: ${datasets.map((d) => d.label).join(' vs ')}`,
      datasets,
      runs,
      reference: ref ? { label: ref.label, laws: ref.laws } : undefined,
      targets: asked ?? paperTargets(),
      showTargets: asked ? 'all' : 'auto',
      maxExtrapolation,
    };
    const ui = new MultiProgress();
    const bar = ui.isTTY ? ui.overall(1, { label: 'report' }) : undefined;
    const t0 = Date.now();
    let written;
    try {
      written = await writeReport(a.out, input, {
        svg: a.svg,
        png: a.png,
        tool: 'scaling report',
        onProgress: (done, total, what) => {
          if (done === 0) bar?.setTotal(total);
          bar?.update(done, { detail: what });
        },
      });
    } finally {
      ui.stop();
    }
    if (a.json) {
      process.stdout.write(JSON.stringify({ ...reportSummary(input, written), seconds: (Date.now() - t0) / 1000 }, null, 2) + '\n');
      return;
    }
    for (const c of written.charts) process.stdout.write(`${c.id.padEnd(16)} ${c.files.join(' ')}\n`);
    process.stderr.write(`wrote ${a.out}/index.html and ${written.charts.length} charts in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  },
};
