// The report page: one self-contained HTML file (vega, vega-lite and vega-embed inlined; specs as escaped JSON), headings, the generated summary and provenance.
import { readFileSync } from 'node:fs';
import type { ChartSpec, ReportInput } from './types.ts';
import { escapeHtml as h, inlineJson, inlineScript } from './escape.ts';
import { qualityVerdict, summarize } from './summary.ts';
import { umdPath } from './umd.ts';
import { timestamp } from '../util/format.ts';

const CSS = `body{font-family:"DejaVu Sans",system-ui,sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}h3{margin-bottom:.3em}
.meta,.files,.caption{color:#555;font-size:.92em}.warn{color:#a33}code{font-size:.9em}
table.prov{border-collapse:collapse;font-size:.88em}table.prov td{border-top:1px solid #eee;padding:2px 8px;vertical-align:top;word-break:break-all}
.chart{margin:.5em 0 1.5em;overflow-x:auto}`;

function libraries(): string {
  return (['vega', 'vega-lite', 'vega-embed'] as const).map((p) => `<script>/* ${p} (inlined UMD build) */\n${inlineScript(readFileSync(umdPath(p), 'utf8'))}\n</script>`).join('\n');
}

function summaryHtml(input: ReportInput): string {
  const out: string[] = [];
  const verdict = qualityVerdict(input);
  if (verdict) out.push(`<p><strong>Data quality.</strong> ${h(verdict)}</p>`);
  for (const d of input.datasets) {
    const s = summarize(d, input);
    out.push(`<h3>${h(s.label)}</h3>`);
    out.push(`<p class="meta">Dataset: ${h(s.dataset)} · file <code>${h(s.file)}</code>${s.sha256 ? ` · sha256 <code>${h(s.sha256)}</code>` : ''}</p>`);
    out.push(`<ul>${s.lawLines.map((l) => `<li>${h(l)}</li>`).join('')}</ul>`);
    if (s.predictions.length) out.push(`<ul>${s.predictions.map((p) => `<li${p.far ? ' class="warn"' : ''}>${h(p.text)}</li>`).join('')}</ul>`);
    out.push(s.warnings.length ? `<p class="warn">Warnings (${s.warnings.length}):</p><ul class="warn">${s.warnings.map((w) => `<li>${h(w)}</li>`).join('')}</ul>` : '<p class="meta">No warnings.</p>');
    out.push(`<details><summary>Provenance</summary><table class="prov">${s.provenance.map(([k, v]) => `<tr><td>${h(k)}</td><td>${h(v)}</td></tr>`).join('')}</table></details>`);
  }
  if (input.reference) out.push(`<p class="meta">Grey long-dashed reference lines: ${h(input.reference.label)} (${h(input.reference.laws.provenance.source)}).</p>`);
  return out.join('\n');
}

/** The whole page. `files` lists which per-chart files were written next to it (for the links under each chart). */
export function buildPage(input: ReportInput, charts: ChartSpec[], opts: { generated: string; tool: string; files: ('svg' | 'png')[] }): string {
  const sections = charts.map((c, i) => {
    const links = ['vl.json', ...opts.files].map((ext) => `<a href="${h(`${c.id}.${ext}`)}">${h(`${c.id}.${ext}`)}</a>`).join(' · ');
    return `<section id="${h(c.id)}"><h3>${i + 1}. ${h(c.title)}</h3><p class="caption">${h(c.caption)}</p><div class="chart" id="chart-${i}"></div><p class="files">${links}</p>\n<script type="application/json" id="spec-${i}">${inlineJson(c.spec)}</script></section>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(input.title)}</title>
<style>${CSS}</style>
${libraries()}
</head>
<body>
<h1>${h(input.title)}</h1>
<p class="meta">Generated ${h(timestamp(opts.generated))} by ${h(opts.tool)} from ${input.datasets.length} fits file(s)${input.runs?.length ? ` and ${new Set(input.runs.map((r) => r.file)).size} run file(s)` : ''}. Everything on this page works offline.</p>
<h2>Summary</h2>
${summaryHtml(input)}
<h2>Charts</h2>
${sections.join('\n')}
<script>
(function () {
  var n = ${charts.length};
  for (var i = 0; i < n; i++) {
    var spec = JSON.parse(document.getElementById('spec-' + i).textContent);
    vegaEmbed('#chart-' + i, spec, { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } })
      .catch(function (e) { console.error(e); });
  }
})();
</script>
</body>
</html>
`;
}
