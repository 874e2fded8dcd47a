// The chart registry: every chart kind of a report, in page order. A new chart is one module exporting a ChartKind, added here.
import type { ChartKind } from './types.ts';
import { isoflopKind } from './chart-isoflop.ts';
import { landscapeKind } from './chart-landscape.ts';
import { scalingKind } from './chart-scaling.ts';
import { lossKind } from './chart-loss.ts';
import { hyperKind } from './chart-hyper.ts';
import { curvesKind } from './chart-curves.ts';
import { qualityKind } from './chart-quality.ts';
import { representationsKind } from './chart-representations.ts';
import { schedulesKind, stagesKind } from './chart-schedules.ts';

export const CHART_KINDS: readonly ChartKind[] = [isoflopKind, scalingKind, lossKind, landscapeKind, hyperKind, schedulesKind, stagesKind, curvesKind, qualityKind, representationsKind];
