// Report page and command: self-contained HTML (no network references, every spec embedded), escaping of input strings, atomic output, bad input → exit 2.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import vm from 'node:vm';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUDGETS, syntheticFits } from './report-fixture.ts';
import { buildCharts } from '../src/report/report.ts';
import { buildPage } from '../src/report/page.ts';
import { renderSvg } from '../src/report/render.ts';
import { escapeHtml, inlineJson } from '../src/report/escape.ts';
import { expandPattern, paperTargets } from '../src/report/inputs.ts';
import { writeLaws } from '../src/schema/laws.ts';
import type { ReportInput } from '../src/report/types.ts';

const EVIL = '</script><img src=x onerror=alert(1)>';

function input(label = 'good'): ReportInput {
  const laws = syntheticFits({ name: label, k: 0.1715, a: 0.5243, E: 0.6, A: 40, gamma: 0.08, kappa: 0.15, budgets: BUDGETS, withCi: true });
  laws.dataset = label;
  laws.provenance.inputs = [{ file: `runs/${label}.csv`, sha256: 'ab'.repeat(32) }];
  const other = syntheticFits({ name: 'noisy', k: 2, a: 0.45, E: 0.7, A: 50, gamma: 0.08, kappa: 0.12, budgets: BUDGETS, withCi: true });
  return { title: `Report ${label}`, datasets: [{ label, file: `fits/${label}.json`, laws }, { label: 'noisy', file: 'fits/noisy.json', laws: other }], targets: paperTargets() };
}

/** The page with the three inlined library scripts cut out (they are third-party code, checked separately). */
function withoutLibraries(html: string): string {
  return html.replace(/<script>\/\* vega[\w-]* \(inlined UMD build\) \*\/[\s\S]*?<\/script>/g, '<script>LIB</script>');
}

describe('report page', () => {
  it('is self-contained: libraries inlined, no http script or link, every spec embedded and parseable', () => {
    const inp = input();
    const charts = buildCharts(inp);
    const html = buildPage(inp, charts, { generated: 'now', tool: 'test', files: ['svg', 'png'] });
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]*\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).toContain('vega-embed (inlined UMD build)');
    expect(html).toContain('vega-lite (inlined UMD build)');
    const specs = [...html.matchAll(/<script type="application\/json" id="spec-(\d+)">([\s\S]*?)<\/script>/g)];
    expect(specs.length).toBe(charts.length);
    specs.forEach((m, i) => expect(JSON.parse(m[2])).toEqual(JSON.parse(JSON.stringify(charts[i].spec))));
    // Each chart's heading and the summary's law text.
    for (const c of charts) expect(html).toContain(escapeHtml(c.title));
    expect(html).toContain('C^0.524 [0.504, 0.544]');
  });

  it('runs offline: the inlined libraries load, and the boot script hands every embedded spec to vegaEmbed, which the inlined vega renders', async () => {
    const inp = input();
    const charts = buildCharts(inp);
    const html = buildPage(inp, charts, { generated: 'now', tool: 'test', files: [] });
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(scripts.length).toBe(4);
    const jsonById = new Map([...html.matchAll(/<script type="application\/json" id="(spec-\d+)">([\s\S]*?)<\/script>/g)].map((m) => [m[1], m[2]]));
    const ctx: Record<string, unknown> = { console, setTimeout, clearTimeout, setInterval, clearInterval, performance, structuredClone, URL, TextEncoder, TextDecoder, queueMicrotask };
    ctx.self = ctx;
    ctx.window = ctx;
    vm.createContext(ctx);
    for (const s of scripts.slice(0, 3)) vm.runInContext(s, ctx);
    const g = ctx as { vega: typeof import('vega'); vegaLite: typeof import('vega-lite'); vegaEmbed: unknown };
    expect(typeof g.vega.View).toBe('function');
    expect(typeof g.vegaLite.compile).toBe('function');
    expect(typeof g.vegaEmbed).toBe('function');
    // The boot script, with the DOM reduced to getElementById and vegaEmbed recording its calls.
    const calls: { el: string; spec: Record<string, unknown> }[] = [];
    ctx.document = { getElementById: (id: string) => ({ textContent: jsonById.get(id) }) };
    ctx.vegaEmbed = (el: string, spec: Record<string, unknown>) => { calls.push({ el, spec }); return Promise.resolve(); };
    vm.runInContext(scripts[3], ctx);
    expect(calls.map((c) => c.el)).toEqual(charts.map((_, i) => `#chart-${i}`));
    // The inlined vega-lite + vega render the IsoFLOP spec exactly as the Node packages do.
    const view = new g.vega.View(g.vega.parse(g.vegaLite.compile(calls[0].spec as never).spec), { renderer: 'none' });
    const svg = await view.toSVG();
    expect(svg).toBe(await renderSvg(charts[0].spec));
  });

  it(`shows a dataset labelled ${EVIL} as text and runs nothing`, async () => {
    const inp = input(EVIL);
    const charts = buildCharts(inp);
    const html = buildPage(inp, charts, { generated: 'now', tool: 'test', files: [] });
    const page = withoutLibraries(html);
    expect(page).not.toContain(EVIL);
    expect(page).not.toMatch(/<img/i);
    expect(page).toContain(escapeHtml(EVIL));
    // Script elements: 3 libraries + one JSON block per chart + the boot script — the label opened none.
    expect((page.match(/<script/gi) ?? []).length).toBe(3 + charts.length + 1);
    expect((page.match(/<\/script>/gi) ?? []).length).toBe(3 + charts.length + 1);
    // The label survives the round trip through the inlined JSON exactly.
    const first = page.match(/<script type="application\/json" id="spec-0">([\s\S]*?)<\/script>/)![1];
    expect(first).not.toContain('<');
    expect(JSON.stringify(JSON.parse(first))).toContain(JSON.stringify(EVIL).slice(1, -1));
    // Rendered charts: vega writes the label as escaped SVG text.
    const svg = await renderSvg(charts[0].spec);
    expect(svg).not.toContain(EVIL);
    expect(svg).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  it('inlineJson escapes every character that could end a script element and round-trips', () => {
    const v = { a: '</script><!-- & \u2028 \u2029 >' };
    const s = inlineJson(v);
    expect(s).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(s)).toEqual(v);
  });

  it('expands glob patterns for --runs and names the flag when nothing matches', () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-glob-'));
    for (const f of ['a/x.csv', 'a/b/y.csv', 'z.txt']) {
      const p = join(dir, f);
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, '');
    }
    expect(expandPattern(`${dir}/**/*.csv`).map((f) => f.slice(dir.length + 1))).toEqual(['a/b/y.csv', 'a/x.csv']);
    expect(expandPattern(`${dir}/a/*.csv`).map((f) => f.slice(dir.length + 1))).toEqual(['a/x.csv']);
    expect(() => expandPattern(`${dir}/**/*.json`)).toThrow(/--runs: no files match/);
  });
});

describe('scaling report (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-cli-'));
  const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/scaling.js', 'report', ...args], { encoding: 'utf8' });

  it('writes index.html, one .vl.json, .svg and .png per chart', () => {
    const inp = input();
    writeLaws(join(dir, 'good.json'), inp.datasets[0].laws);
    writeLaws(join(dir, 'noisy.json'), inp.datasets[1].laws);
    const out = join(dir, 'out');
    const r = cli(join(dir, 'good.json'), join(dir, 'noisy.json'), '--out', out, '--title', 'CLI test', '--json');
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    // --json: the files, each dataset's warnings, and the targets left out with their factor from the largest budget (1e19).
    const j = JSON.parse(r.stdout);
    expect(j.charts.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(['isoflop', 'scaling', 'loss', 'quality']));
    expect(j.datasets.map((d: { label: string; warnings: unknown[] }) => [d.label, d.warnings])).toEqual([['good', []], ['noisy', []]]);
    expect(j.index).toBe('…/out/index.html'); // outside the working directory: no absolute path in the summary
    expect(j.targets.drawn).toEqual([]);
    expect(j.targets.notDrawn.map((t: { label: string }) => t.label)).toEqual(['DeepSeek 7B', 'DeepSeek 67B']);
    expect(j.targets.notDrawn[0].factor).toBeCloseTo(8.4934656e22 / 1e19, 6);
    const files = readdirSync(out).sort();
    expect(files).toContain('index.html');
    for (const id of ['isoflop', 'scaling', 'loss', 'quality']) for (const ext of ['vl.json', 'svg', 'png']) expect(files).toContain(`${id}.${ext}`);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('<title>CLI test</title>');
  }, 90000);

  it.each([
    ['schema', { schema: 'scaling.plan' }, /bad-schema\.json: schema: expected "scaling\.laws"/],
    ['version', { version: 7 }, /bad-version\.json: version: unsupported version 7/],
  ])('a fits file with the wrong %s: one line naming file and field, exit 2, no report directory', (what, patch, message) => {
    const good = input().datasets[0].laws;
    const bad = join(dir, `bad-${what}.json`);
    writeFileSync(bad, JSON.stringify({ ...good, ...patch }));
    writeLaws(join(dir, 'ok.json'), good);
    const out = join(dir, `never-${what}`);
    const r = cli(join(dir, 'ok.json'), bad, '--out', out);
    if (what === 'schema') {
      // An earlier report in the target directory survives a failed run untouched.
      const kept = join(dir, 'out');
      const before = readdirSync(kept).sort();
      expect(before).toContain('index.html');
      expect(cli(bad, '--out', kept).status).toBe(2);
      expect(readdirSync(kept).sort()).toEqual(before);
    }
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^scaling: /);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith(`.never-${what}`))).toEqual([]);
  }, 90000);
});
