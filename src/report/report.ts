// A whole report: builds every chart that the inputs support, renders SVG/PNG, and writes the directory atomically (nothing half-written on failure).
import type { ChartSpec, ReportInput } from './types.ts';
import { isoflopChart } from './chart-isoflop.ts';
import { scalingChart } from './chart-scaling.ts';
import { lossChart } from './chart-loss.ts';
import { hyperChart } from './chart-hyper.ts';
import { curvesChart } from './chart-curves.ts';
import { qualityChart } from './chart-quality.ts';
import { representationsChart } from './chart-representations.ts';
import { renderSvg, svgToPng } from './render.ts';
import { buildPage } from './page.ts';
import { writeDirAtomic } from '../util/atomic.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The charts in the order (1 IsoFLOP … 7 representations); charts the inputs cannot support are left out. */
export function buildCharts(input: ReportInput): ChartSpec[] {
  return [
    isoflopChart(input.datasets),
    scalingChart(input),
    lossChart(input),
    hyperChart(input),
    curvesChart(input.runs),
    qualityChart(input),
    representationsChart(input),
  ].filter((c): c is ChartSpec => c !== undefined);
}

export interface WriteOptions {
  svg: boolean;
  png: boolean;
  /** PNG zoom (2 = twice the SVG's pixel size). */
  pngScale?: number;
  tool: string;
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
  });
  return result;
}
