// `scaling report FITS… --out DIR`: charts (Vega-Lite → SVG/PNG) and one offline HTML page comparing the fits (thin layer over src/report/).
import type { CommandModule } from 'yargs';
import cliProgress from 'cli-progress';
import { InputError } from '../util/errors.ts';
import { loadDatasets, loadReference, loadRuns, paperTargets } from '../report/inputs.ts';
import type { ReportInput } from '../report/types.ts';

interface ReportArgs {
  fits: string[];
  runs?: string[];
  out: string;
  title?: string;
  png: boolean;
  svg: boolean;
  reference?: string;
  paper: boolean;
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
      .example('$0 report fits/marin-dclm.json fits/marin-comma.json --out reports/marin', 'compare two datasets')
      .example("$0 report fits/micro.json --runs 'runs/micro/*.csv' --out reports/micro --title 'Micro ladder'", 'with training curves'),
  handler: async (a) => {
    // vega and resvg load in ~1.5 s: only when a report is really written.
    const { writeReport } = await import('../report/report.ts');
    if (a.out.trim() === '') throw new InputError('must name a directory', { field: '--out' });
    const datasets = loadDatasets(a.fits);
    const runs = a.runs?.length ? loadRuns(a.runs) : undefined;
    const ref = a.paper ? loadReference(a.reference) : undefined;
    const input: ReportInput = {
      title: a.title ?? `Scaling laws: ${datasets.map((d) => d.label).join(' vs ')}`,
      datasets,
      runs,
      reference: ref ? { label: ref.label, laws: ref.laws } : undefined,
      targets: paperTargets(),
    };
    const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'report [{bar}] {value}/{total} {what} | ETA {eta}s', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
    const t0 = Date.now();
    const written = await writeReport(a.out, input, {
      svg: a.svg,
      png: a.png,
      tool: 'scaling report',
      onProgress: (done, total, what) => {
        if (!bar) return;
        if (done === 0) bar.start(total, 0, { what });
        bar.update(done, { what });
      },
    });
    bar?.stop();
    for (const c of written.charts) process.stdout.write(`${c.id.padEnd(16)} ${c.files.join(' ')}\n`);
    process.stderr.write(`wrote ${a.out}/index.html and ${written.charts.length} charts in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  },
};
