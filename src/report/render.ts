// Rendering without a browser: Vega-Lite spec → vega-lite compile → vega View (renderer 'none') → SVG → PNG with @resvg/resvg-js and fonts from npm.
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import type { VlSpec } from './types.ts';
import { FONT } from './style.ts';

const require = createRequire(import.meta.url);


/** Compiles a Vega-Lite spec to a Vega spec; vega-lite errors (bad encodings, unknown marks) are thrown as they are, warnings are not printed. */
export function compileSpec(spec: VlSpec): vega.Spec {
  return vl.compile(spec as unknown as vl.TopLevelSpec, { logger: vega.logger(vega.Error) }).spec;
}

/** Renders a Vega-Lite spec to an SVG string headless (no canvas, no network: data must be inline). */
export async function renderSvg(spec: VlSpec): Promise<string> {
  const view = new vega.View(vega.parse(compileSpec(spec)), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The DejaVu font files shipped by npm `dejavu-fonts-ttf`; resvg drops all text silently when it has no font. */
export function fontFiles(): string[] {
  const dir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  const files = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'].map((f) => join(dir, f));
  for (const f of files) if (!existsSync(f)) throw new Error(`font file missing: ${f} (npm package dejavu-fonts-ttf)`);
  return files;
}

/** Rasterises an SVG to PNG at `scale`× with the npm fonts passed explicitly (system fonts are not loaded, so output is the same on every machine). */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: FONT, sansSerifFamily: FONT },
  });
  return resvg.render().asPng();
}

/** Locates the browser (UMD) build of a package: `exports` hides build/, so resolve the main entry and walk up to the package root. */

export { umdPath } from './umd.ts';
