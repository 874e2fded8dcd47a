// What a report is built from: labelled fits files (one per dataset or representation), optional run rows, reference laws and target models.
import type { LawsFile } from '../schema/laws.ts';
import type { RunRow } from '../schema/runs.ts';

/** A Vega-Lite spec as a plain JSON object (typed loosely: vega-lite validates it when compiling). */
export type VlSpec = Record<string, unknown>;

/** One fits file on the report, with the label it carries on every chart. */
export interface ReportDataset {
  /** Unique label (the file's `name`, disambiguated by file name when two files share it). */
  label: string;
  /** Path the laws were read from (shown in provenance). */
  file: string;
  /** sha256 of the file's bytes, when read from disk. */
  sha256?: string;
  laws: LawsFile;
}

/** A model or budget whose compute the charts may extrapolate to (e.g. DeepSeek LLM 7B: C = M·D). */
export interface ReportTarget {
  label: string;
  /** Name a fit's predictions use for the same model (`scaling fit --predict 7b` → '7b'). */
  key?: string;
  compute: number;
}

export interface ReportInput {
  title: string;
  datasets: ReportDataset[];
  /** Training-curve rows (`--runs`), each with the file it came from. */
  runs?: (RunRow & { file: string })[];
  /** The paper's laws (fits/deepseek-llm.json) drawn as dashed references. */
  reference?: { label: string; laws: LawsFile };
  /** Targets predictions are matched to (default: the paper's 7B and 67B). Drawn as `showTargets` says. */
  targets: ReportTarget[];
  /**
   * 'auto' (default): a target is drawn only when it lies within `maxExtrapolation` of the fitted compute; 'all': every target
   * is drawn (the user asked with `--targets`), those beyond the limit in a separate far-extrapolation panel.
   */
  showTargets?: 'auto' | 'all';
  /** Extrapolation factor beyond which a target is left out ('auto') and a prediction is flagged (default EXTRAPOLATION_LIMIT, 100). */
  maxExtrapolation?: number;
  /** Directory paths in provenance are shown relative to (default: the working directory). */
  baseDir?: string;
}

/** One chart of the report: file stem, heading, caption and its Vega-Lite spec. */
export interface ChartSpec {
  id: string;
  title: string;
  caption: string;
  spec: VlSpec;
}

/** A kind of chart: one module exporting one of these, registered once in src/report/charts.ts. */
export interface ChartKind {
  id: string;
  /** Absent (undefined) when the inputs cannot support the chart. */
  build(input: ReportInput): ChartSpec | undefined;
}
