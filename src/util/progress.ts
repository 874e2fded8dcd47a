// Progress display for long work: cli-progress multibars with ETA on a TTY, plain timestamped lines otherwise (logs, CI, pipes).
import cliProgress from 'cli-progress';
import { si } from './format.ts';

/** What a bar shows besides value/total: a label and free-form details (e.g. loss, tokens/s). */
export interface BarPayload {
  label?: string;
  detail?: string;
}

export interface ProgressBar {
  update(value: number, payload?: BarPayload): void;
  setTotal(total: number): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Stream to draw on (default process.stderr). */
  stream?: NodeJS.WriteStream;
  /** Force bars (true) or plain lines (false); default: bars when the stream is a TTY. */
  tty?: boolean;
  /** Plain mode: minimum seconds between lines of one bar (default 10). */
  plainEveryS?: number;
  /** Unit printed after value/total (e.g. 'tok'). */
  unit?: string;
}

/** "1m05s", "2h03m", "12s" for an ETA in seconds. */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  s = Math.round(s);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Several bars at once (overall + one per worker). Bars are drawn in creation order. */
export class MultiProgress {
  private readonly multi?: cliProgress.MultiBar;
  private readonly stream: NodeJS.WriteStream;
  private readonly plainEveryMs: number;
  private readonly unit: string;

  constructor(opts: ProgressOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    this.plainEveryMs = (opts.plainEveryS ?? 10) * 1000;
    this.unit = opts.unit ?? '';
    const tty = opts.tty ?? Boolean(this.stream.isTTY);
    if (tty) {
      this.multi = new cliProgress.MultiBar(
        {
          stream: this.stream,
          format: `{label} |{bar}| {percentage}% {valueFmt}/{totalFmt}${this.unit ? ' ' + this.unit : ''} | ETA {eta_formatted} | {detail}`,
          barsize: 24,
          hideCursor: true,
          clearOnComplete: false,
          stopOnComplete: false,
          etaBuffer: 50,
          fps: 5,
          autopadding: true,
        },
        cliProgress.Presets.shades_classic,
      );
    }
  }

  get isTTY(): boolean {
    return this.multi !== undefined;
  }

  bar(total: number, payload: BarPayload = {}): ProgressBar {
    const label = (payload.label ?? '').padEnd(24);
    if (this.multi) {
      const b = this.multi.create(total, 0, { label, detail: payload.detail ?? '', valueFmt: si(0), totalFmt: si(total) });
      let t = total;
      return {
        update: (v, p = {}) => b.update(v, { valueFmt: si(v), totalFmt: si(t), ...(p.label !== undefined ? { label: p.label.padEnd(24) } : {}), ...(p.detail !== undefined ? { detail: p.detail } : {}) }),
        setTotal: (n) => {
          t = n;
          b.setTotal(n);
        },
        stop: () => b.stop(),
      };
    }
    // Plain lines: value/total, percentage, ETA from the mean rate since the first update.
    let t = total;
    let lab = payload.label ?? '';
    let detail = payload.detail ?? '';
    let last = 0;
    let start = 0;
    let startValue = 0;
    let value = 0;
    let finished = false;
    const line = () => {
      const now = Date.now();
      const rate = now > start ? (value - startValue) / ((now - start) / 1000) : 0;
      const eta = rate > 0 ? (t - value) / rate : NaN;
      const pct = t > 0 ? ((100 * value) / t).toFixed(1) : '0.0';
      this.stream.write(`${new Date().toISOString().slice(11, 19)} ${lab} ${pct}% ${si(value)}/${si(t)}${this.unit ? ' ' + this.unit : ''} ETA ${formatDuration(eta)}${detail ? ' | ' + detail : ''}\n`);
      last = now;
    };
    return {
      update: (v, p = {}) => {
        if (start === 0 || v < value) {
          // first update, or the bar was reused for a new job: restart the rate/ETA window
          start = Date.now();
          startValue = v;
          last = start;
          finished = false;
        }
        value = v;
        if (p.label !== undefined) lab = p.label;
        if (p.detail !== undefined) detail = p.detail;
        if (v >= t) {
          if (!finished) line();
          finished = true;
        } else if (Date.now() - last >= this.plainEveryMs) line();
      },
      setTotal: (n) => {
        t = n;
        start = 0;
      },
      stop: () => {},
    };
  }

  /** A line above the bars (or a plain line). */
  log(text: string): void {
    const s = text.endsWith('\n') ? text : text + '\n';
    if (this.multi) this.multi.log(s);
    else this.stream.write(s);
  }

  stop(): void {
    this.multi?.stop();
  }
}
