// A whole report: builds every chart that the inputs support, renders SVG/PNG, and writes the directory atomically (nothing half-written on failure).
import type { ChartSpec, ReportInput } from './types.ts';
import { CHART_KINDS } from './charts.ts';
import { buildPage } from './page.ts';
import { writeDirAtomic } from '../util/atomic.ts';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeAxis } from './axis.ts';
import { fitWarnings, type FitWarning } from './warnings.ts';
import { displayPath } from './summary.ts';
import { EXTRAPOLATION_LIMIT, extrapolationFactor, fittedComputeRange } from '../laws/extrapolation.ts';

/** Files a report folder holds: index.html and the charts' spec/SVG/PNG. */
const REPORT_FILE = /^(index\.html|[A-Za-z0-9_-]+\.(vl\.json|svg|png))$/;

/**
 * A report folder written before output markers existed: only report files, and an index.html this tool generated. Anything
 * else in the folder (a user's file) makes it not ours, so it is never replaced.
 */
export function isLegacyReportDir(dir: string): boolean {
  try {
    const entries = readdirSync(dir);
    if (!entries.includes('index.html') || !entries.every((f) => REPORT_FILE.test(f))) return false;
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    return /<p class="meta">Generated [^<]* by scaling/.test(html);
  } catch {
    return false;
  }
}

/** Every chart the inputs support, in the registry's order (src/report/charts.ts); the others are left out. */
export function buildCharts(input: ReportInput): ChartSpec[] {
  return CHART_KINDS.map((k) => k.build(input)).filter((c): c is ChartSpec => c !== undefined);
}

export interface WriteOptions {
  svg: boolean;
  png: boolean;
  /** PNG zoom (2 = twice the SVG's pixel size). */
  pngScale?: number;
  tool: string;
  /** The flag that named the folder, for messages (default '--out'). */
  flag?: string;
  generated?: string;
  onProgress?: (done: number, total: number, what: string) => void;
}

export interface WrittenReport {
  dir: string;
  charts: { id: string; title: string; files: string[] }[];
}

/** Renders every chart and writes `dir` (index.html, <id>.vl.json, <id>.svg, <id>.png); `dir` is replaced only when all succeeded. */
export async function writeReport(dir: string, input: ReportInput, opts: WriteOptions): Promise<WrittenReport> {
  const charts = buildCharts(input);
  const result: WrittenReport = { dir, charts: [] };
  const exts: ('svg' | 'png')[] = [...(opts.svg ? ['svg' as const] : []), ...(opts.png ? ['png' as const] : [])];
  await writeDirAtomic(dir, async (tmp) => {
    const total = charts.length + 1;
    for (const [i, c] of charts.entries()) {
      opts.onProgress?.(i, total, c.id);
      const files = [`${c.id}.vl.json`];
      writeFileSync(join(tmp, `${c.id}.vl.json`), JSON.stringify(c.spec, null, 2) + '\n');
      if (opts.svg || opts.png) {
        const { renderSvg, svgToPng } = await import('./render.ts'); // vega and resvg load (≈ 1.5 s) only when a chart is rendered
        const svg = await renderSvg(c.spec);
        if (opts.svg) {
          writeFileSync(join(tmp, `${c.id}.svg`), svg);
          files.push(`${c.id}.svg`);
        }
        if (opts.png) {
          writeFileSync(join(tmp, `${c.id}.png`), svgToPng(svg, opts.pngScale ?? 2));
          files.push(`${c.id}.png`);
        }
      }
      result.charts.push({ id: c.id, title: c.title, files });
    }
    opts.onProgress?.(charts.length, total, 'index.html');
    writeFileSync(join(tmp, 'index.html'), buildPage(input, charts, { generated: opts.generated ?? new Date().toISOString(), tool: opts.tool, files: exts }));
    opts.onProgress?.(total, total, 'done');
  }, { flag: opts.flag ?? '--out', kind: 'report', isOurs: isLegacyReportDir });
  return result;
}

/** What `scaling report --json` prints: the files written, each dataset's warnings and predictions (with extrapolation factors), the targets drawn and left out. */
export interface ReportSummary {
  dir: string;
  index: string;
  charts: WrittenReport['charts'];
  datasets: { label: string; file: string; warnings: FitWarning[]; predictions: { label: string; compute: number; factor: number | null; far: boolean }[] }[];
  targets: { drawn: { label: string; compute: number; factor: number; panel: string }[]; notDrawn: { label: string; compute: number; factor: number }[]; limit: number };
}

export function reportSummary(input: ReportInput, written: WrittenReport): ReportSummary {
  const axis = computeAxis(input);
  const limit = input.maxExtrapolation ?? EXTRAPOLATION_LIMIT;
  return {
    dir: displayPath(written.dir, input.baseDir),
    index: displayPath(join(written.dir, 'index.html'), input.baseDir),
    charts: written.charts,
    datasets: input.datasets.map((d) => {
      const range = fittedComputeRange(d.laws);
      return {
        label: d.label,
        file: displayPath(d.file, input.baseDir),
        warnings: fitWarnings(d.laws),
        predictions: (d.laws.details?.predictions ?? []).map((p) => {
          const f = range ? extrapolationFactor(p.compute, range) : null;
          return { label: p.label, compute: p.compute, factor: f, far: f !== null && f > limit };
        }),
      };
    }),
    targets: { drawn: axis.shown.map((t) => ({ label: t.label, compute: t.compute, factor: t.factor, panel: t.panel })), notDrawn: axis.hidden.map((t) => ({ label: t.label, compute: t.compute, factor: t.factor })), limit },
  };
}
