// The fitter's contract: observations (one final result per run, from our CSVs or anyone's through a column mapping) and fit options.
import type { Representation } from '../flops/flops.ts';

/**
 * One run's result as the fitter sees it. `scale` is FLOPs per token in the fit's representation, so compute = scale × tokens:
 * M for our runs (paper), 6·N for external data that only gives parameters.
 */
export interface Observation {
  runId: string;
  dataset: string;
  /** Budget (target C) the run belongs to: the budget column, or C snapped to a budget found in the data. */
  budget: number;
  /** Compute actually spent: scale × tokens. */
  compute: number;
  scale: number;
  tokens: number;
  loss: number;
  lr?: number;
  batchTokens?: number;
  /** When the shape is known: the three representations of the paper's App. A.2 (FLOPs/token: M, 6·N1, 6·N2). */
  reps?: { M: number; sixN1: number; sixN2: number };
  /** Parameter count when known (for approach 3 in N and the Step Law form). */
  params?: number;
  /** Training curve (for approach 1): compute and loss at each evaluation, in order. */
  curve?: { tokens: number; compute: number; loss: number }[];
  /** Where the row came from, for messages. */
  source: { file: string; line: number };
  /** LR schedule of the run when known (a schedule name, with its stage ratios when not 80/10/10): runs of different schedules are no replicas. */
  schedule?: string;
  /** When several runs differing only by seed were merged into this one (src/fit/replicas.ts): their count, spread and ids. */
  replicas?: { n: number; sd: number; runIds: string[]; losses: number[] };
}

export interface FitOptions {
  /** Label of the fit (reports compare fits by it). */
  dataset: string;
  name: string;
  representation: Representation;
  /** Loss units, e.g. 'bits-per-byte' or 'nats/token'. */
  lossUnits: string;
  /** Approach 2 window: fit each parabola on `window` consecutive distinct scales around the lowest-loss one (balanced); 0 = auto (all up to 6, else max(6, ⌈2n/3⌉)). */
  window: number;
  /** Per-budget optimum: 'parabola' (vertex of the window's parabola, the default by measurement) or 'spline' (Akima argmin, Porian et al.). */
  optimum: 'parabola' | 'spline';
  /** Keep budgets whose lowest loss is at an edge of their grid in the power laws (default: excluded, named in a warning). */
  keepUnbracketed: boolean;
  /** Weights of the optima in the allocation laws: 'none', or 'bootstrap' (1/σ² from a first bootstrap pass; needs --bootstrap > 0). */
  optimaWeights: 'none' | 'bootstrap';
  /** Bootstrap scheme: resample runs ('cases', default) or redraw losses around the fitted parabolas ('parametric'; src/fit/bootstrap.ts). */
  bootstrapScheme?: 'cases' | 'parametric';
  /** Near-optimal threshold for hyperparameter laws: loss ≤ (1 + threshold) × budget minimum (paper: 0.0025). */
  hyperThreshold: number;
  hyperForm: 'compute' | 'steplaw';
  /** Bootstrap resamples (0 disables) and seed. */
  bootstrap: number;
  seed: number;
  ciLevel: number;
  /** Fit without the K largest budgets and report the error predicting them. */
  holdoutLargest: number;
  /** Predictions: '7b', '67b', a budget like '1e21', or a shape. */
  predict: string[];
  approach3: boolean;
  /** Scale variable for approach 3: parameters N (C = 6ND) or M. */
  approach3Scale: 'N' | 'M';
}
