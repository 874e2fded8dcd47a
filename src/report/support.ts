// Whether a fitted law may be drawn as a law: the fitter's own verdict (`supported: false` with reasons) when the file has one,
// else a law whose fit explains nothing (R² below NO_SIGNAL_R2, e.g. an LR "law" through a rule-set LR) is not drawn.
import type { LossLaw, PowerLaw } from '../schema/laws.ts';
import { num } from '../util/format.ts';

/** Below this coefficient of determination (log space) a power law has no signal: its points are drawn, not its line. */
export const NO_SIGNAL_R2 = 0.05;

export interface LawSupport {
  drawn: boolean;
  /** Why the law is not drawn, in full (the page's summary). */
  reason?: string;
  /** The same in a few words (chart captions): the fitter's codes, or the R². */
  short?: string;
}

/** Reasons a fitter attaches to a law it marks unsupported: warning codes (`reasons`), spelled out from details.diagnostics. */
function fitterReasons(law: PowerLaw | LossLaw, diagnostics?: unknown[]): string[] | undefined {
  const l = law as (PowerLaw | LossLaw) & { supported?: boolean; reasons?: unknown; reason?: unknown };
  if (l.supported !== false) return undefined;
  const rs = Array.isArray(l.reasons) ? l.reasons : l.reason !== undefined ? [l.reason] : [];
  const byCode = new Map((diagnostics ?? []).map((d) => d as { code?: string; message?: string }).filter((d) => d.code).map((d) => [d.code!, d.message ?? d.code!]));
  return rs.map((r) => (typeof r === 'string' ? (byCode.has(r) ? `${byCode.get(r)} [${r}]` : r) : typeof r === 'object' && r && 'message' in r ? String((r as { message: unknown }).message) : JSON.stringify(r)));
}

/** Whether `law` is drawn as a law; `diagnostics` (the file's details.diagnostics) spell out the fitter's reason codes. */
export function lawSupport(law: PowerLaw | LossLaw | undefined, diagnostics?: unknown[]): LawSupport {
  if (!law) return { drawn: false };
  const reasons = fitterReasons(law, diagnostics);
  if (reasons) {
    const codes = Array.isArray((law as { reasons?: unknown }).reasons) ? ((law as { reasons: string[] }).reasons).join(', ') : '';
    return { drawn: false, reason: reasons.length ? `not supported by the data: ${reasons.join('; ')}` : 'marked unsupported by the fit', short: `not supported${codes ? ` (${codes})` : ''}, see the warnings` };
  }
  const r2 = 'r2' in law ? law.r2 : undefined;
  if (r2 !== undefined && Number.isFinite(r2) && r2 < NO_SIGNAL_R2) return { drawn: false, reason: `no signal, R² ${num(r2, 2)} < ${NO_SIGNAL_R2}`, short: `no signal, R² ${num(r2, 2)} < ${NO_SIGNAL_R2}` };
  return { drawn: true };
}
