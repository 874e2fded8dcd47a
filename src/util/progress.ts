// Progress display for long work: on a TTY one block redrawn in place (one line per active task, one overall line with ETA, log
// lines printed once above it); off a TTY plain timestamped lines (logs, CI, pipes). No stale lines: every frame erases exactly
// the lines the previous frame drew, and no line is longer than the terminal, so none wraps.
import { duration, si } from './format.ts';

/** What a bar shows besides value/total: a label and free-form details (e.g. loss, tokens/s). */
export interface BarPayload {
  label?: string;
  detail?: string;
}

export interface ProgressBar {
  update(value: number, payload?: BarPayload): void;
  /** A new total; the bar's rate and ETA restart (a worker moving on to its next run). */
  setTotal(total: number): void;
  /** The bar stays where it is at its last value (kept for compatibility; remove() takes it off the screen). */
  stop(): void;
  /** Takes the bar off the display (a worker that has exited). */
  remove(): void;
}

export interface ProgressOptions {
  /** Stream to draw on (default process.stderr). */
  stream?: NodeJS.WriteStream;
  /** Force the in-place display (true) or plain lines (false); default: in place when the stream is a TTY. */
  tty?: boolean;
  /** Plain mode: minimum seconds between lines of one bar (default 10). */
  plainEveryS?: number;
  /** Unit printed after value/total (e.g. 'tok'). */
  unit?: string;
  /** Clock in ms (tests). */
  now?: () => number;
  /** Terminal width (default: the stream's columns, else 100). */
  columns?: number;
  /** Redraws per second at most (default 8). */
  fps?: number;
}

/** "1m05s", "2h03m", "12s" for an ETA in seconds (the shared duration formatter). */
export const formatDuration = duration;

const ESC = '\x1b[';
const BAR_WIDTH = 20;

interface BarState {
  id: number;
  label: string;
  detail: string;
  value: number;
  total: number;
  /** Rate window: time and value when the current job started. */
  t0: number;
  v0: number;
  overall: boolean;
  removed: boolean;
  lastPlain: number;
  finishedPrinted: boolean;
}

/** ETA in seconds from the rate since the job started; undefined until there is a rate to go by (≥ 1 s and some progress). */
export function etaSeconds(value: number, total: number, v0: number, t0Ms: number, nowMs: number): number | undefined {
  const dt = (nowMs - t0Ms) / 1000;
  const dv = value - v0;
  if (dt < 1 || dv <= 0) return undefined;
  return Math.max(0, (total - value) / (dv / dt));
}

/** `[████████░░░░]` for a fraction in [0, 1]. */
export function barGlyphs(frac: number, width = BAR_WIDTH): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(frac) ? frac : 0));
  const full = Math.round(f * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}]`;
}

/** Cuts a line to `width` characters (code points), so the terminal never wraps it. */
function fit(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}

/** Several bars at once: one per worker (in creation order) and an optional overall bar drawn last. */
export class MultiProgress {
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly plainEveryMs: number;
  private readonly unit: string;
  private readonly now: () => number;
  private readonly frameMs: number;
  private readonly columnsOpt?: number;
  private readonly bars: BarState[] = [];
  private nextId = 0;
  /** Lines the last frame left on the screen (the cursor sits at the start of the line below them). */
  private drawn = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** Writes to the terminal bypassing the interception below. */
  private raw: (text: string) => void;
  /** Streams whose write() is redirected while the display is up, with their original write. */
  private readonly hooked: { stream: NodeJS.WriteStream; write: NodeJS.WriteStream['write'] }[] = [];
  /** Foreign output not yet ended by a newline. */
  private pending = '';
  private readonly restoreCursor = () => this.raw(`${ESC}?25h`);

  constructor(opts: ProgressOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    this.tty = opts.tty ?? Boolean(this.stream.isTTY);
    this.plainEveryMs = (opts.plainEveryS ?? 10) * 1000;
    this.unit = opts.unit ?? '';
    this.now = opts.now ?? Date.now;
    this.frameMs = 1000 / (opts.fps ?? 8);
    this.columnsOpt = opts.columns;
    const write = this.stream.write.bind(this.stream);
    this.raw = (text) => void write(text);
    if (this.tty) {
      process.once('exit', this.restoreCursor);
      // Anything else written to this terminal while the bars are up (log lines of the caller, a worker's stderr) goes above
      // the bars through log(): written straight through, it would push the bars down and leave a stale copy behind.
      const streams = new Set([this.stream]);
      for (const other of [process.stdout, process.stderr]) if ((this.stream === process.stdout || this.stream === process.stderr) && other.isTTY) streams.add(other);
      for (const st of streams) this.hook(st);
    }
  }

  private hook(stream: NodeJS.WriteStream): void {
    const original = stream.write;
    this.hooked.push({ stream, write: original });
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown) => {
      this.pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const end = this.pending.lastIndexOf('\n');
      if (end >= 0) {
        const lines = this.pending.slice(0, end).split('\n');
        this.pending = this.pending.slice(end + 1);
        this.render(lines);
      }
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') (done as () => void)();
      return true;
    }) as NodeJS.WriteStream['write'];
  }

  private unhook(): void {
    for (const h of this.hooked) h.stream.write = h.write;
    this.hooked.length = 0;
  }

  get isTTY(): boolean {
    return this.tty;
  }

  /** A task line (a worker's current run). */
  bar(total: number, payload: BarPayload = {}): ProgressBar {
    return this.add(total, payload, false);
  }

  /** The overall line (runs done of all, tokens, ETA), always drawn below the task lines. */
  overall(total: number, payload: BarPayload = {}): ProgressBar {
    return this.add(total, payload, true);
  }

  /** A line printed once above the bars (on a TTY) or as a timestamped line. */
  log(text: string): void {
    const lines = text.replace(/\n$/, '').split('\n');
    if (!this.tty || this.stopped) {
      // Log lines pass through as they are (run results carry their own times); progress lines are timestamped.
      this.raw(lines.join('\n') + '\n');
      return;
    }
    this.render(lines);
  }

  /** Erases the bars (the caller prints its own summary) and restores the cursor. */
  stop(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.tty) {
      const rest = this.pending;
      this.pending = '';
      this.raw(this.erase() + (rest ? rest + '\n' : '') + `${ESC}?25h`);
      this.drawn = 0;
      this.unhook();
      process.off('exit', this.restoreCursor);
    }
    this.stopped = true;
  }

  private add(total: number, payload: BarPayload, overall: boolean): ProgressBar {
    const t = this.now();
    const s: BarState = { id: this.nextId++, label: payload.label ?? '', detail: payload.detail ?? '', value: 0, total, t0: t, v0: 0, overall, removed: false, lastPlain: t, finishedPrinted: false };
    this.bars.push(s);
    let started = false;
    this.schedule();
    return {
      update: (v, p = {}) => {
        if (!started || v < s.value) {
          // First update, or the bar reused for a new job: restart the rate window at this value.
          started = true;
          s.t0 = this.now();
          s.v0 = v;
          s.finishedPrinted = false;
        }
        s.value = v;
        if (p.label !== undefined) s.label = p.label;
        if (p.detail !== undefined) s.detail = p.detail;
        if (this.tty) this.schedule();
        else this.plain(s);
      },
      setTotal: (n) => {
        s.total = n;
        s.value = 0;
        started = false;
        s.finishedPrinted = false;
        if (this.tty) this.schedule();
      },
      stop: () => {},
      remove: () => {
        s.removed = true;
        if (this.tty) this.schedule();
      },
    };
  }

  private clock(): string {
    return new Date(this.now()).toISOString().slice(11, 19);
  }

  private columns(): number {
    return this.columnsOpt ?? (this.stream.columns && this.stream.columns > 20 ? this.stream.columns : 100);
  }

  /** One bar as text: label, bar, percentage, value/total, ETA, detail. Labels are padded to the widest one shown. */
  private line(s: BarState, labelWidth: number): string {
    // A bar without a total yet (a worker still starting): its label and detail only.
    if (!(s.total > 0)) return [s.label.padEnd(labelWidth), ' '.repeat(BAR_WIDTH + 2), s.detail].join(' ').trimEnd();
    const frac = s.total > 0 ? s.value / s.total : 0;
    const pct = `${Math.floor(Math.min(1, frac) * 100)}%`.padStart(4);
    const eta = s.value >= s.total && s.total > 0 ? 'done' : `ETA ${duration(etaSeconds(s.value, s.total, s.v0, s.t0, this.now()) ?? NaN)}`;
    const amount = `${si(s.value)}/${si(s.total)}${this.unit ? ' ' + this.unit : ''}`;
    return [s.label.padEnd(labelWidth), barGlyphs(frac), pct, amount.padStart(this.unit ? 15 : 11), eta.padEnd(10), s.detail].join(' ').trimEnd();
  }

  /** The lines of a frame: task lines, then the overall ones; never more than the terminal's height minus one. */
  private frame(): string[] {
    let tasks = this.bars.filter((b) => !b.removed && !b.overall);
    const overall = this.bars.filter((b) => !b.removed && b.overall);
    const rows = Math.max(3, (this.stream.rows && this.stream.rows > 0 ? this.stream.rows : 50) - 1);
    let more = 0;
    if (tasks.length + overall.length > rows) {
      const keep = Math.max(0, rows - overall.length - 1);
      more = tasks.length - keep;
      tasks = tasks.slice(0, keep);
    }
    const shown = [...tasks, ...overall];
    const labelWidth = Math.min(40, Math.max(0, ...shown.map((b) => b.label.length)));
    const width = this.columns() - 1;
    const lines = tasks.map((b) => fit(this.line(b, labelWidth), width));
    if (more > 0) lines.push(fit(`… and ${more} more`, width));
    return [...lines, ...overall.map((b) => fit(this.line(b, labelWidth), width))];
  }

  /** Moves to the first line of the last frame and clears from there to the end of the screen. */
  private erase(): string {
    return this.drawn > 0 ? `\r${ESC}${this.drawn}A${ESC}J` : `\r${ESC}J`;
  }

  /** Draws a frame now, with `logLines` printed once above it; one write per frame. */
  private render(logLines: string[] = []): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const bars = this.frame();
    const out = [...logLines, ...bars];
    this.raw(`${this.drawn === 0 && this.bars.length > 0 ? `${ESC}?25l` : ''}${this.erase()}${out.length ? out.join('\n') + '\n' : ''}`);
    this.drawn = bars.length;
  }

  private schedule(): void {
    if (!this.tty || this.stopped || this.timer) return;
    this.timer = setTimeout(() => this.render(), this.frameMs);
    this.timer.unref?.();
  }

  /** 'run-a 20.0% 200/1.00K tok ETA 40s | loss 1.900': a bar as one plain line (no glyphs: logs are read with grep). */
  private plainLine(s: BarState): string {
    const pct = s.total > 0 ? ((100 * Math.min(s.value, s.total)) / s.total).toFixed(1) : '0.0';
    const eta = s.total > 0 && s.value >= s.total ? 0 : etaSeconds(s.value, s.total, s.v0, s.t0, this.now());
    return `${s.label} ${pct}% ${si(s.value)}/${si(s.total)}${this.unit ? ' ' + this.unit : ''} ETA ${duration(eta ?? NaN)}${s.detail ? ' | ' + s.detail : ''}`;
  }

  /** Plain mode: a timestamped line per bar at most every plainEveryS, and once when it completes. */
  private plain(s: BarState): void {
    const t = this.now();
    const complete = s.total > 0 && s.value >= s.total;
    if (complete) {
      if (s.finishedPrinted) return;
      s.finishedPrinted = true;
    } else if (t - s.lastPlain < this.plainEveryMs) return;
    s.lastPlain = t;
    this.raw(`${this.clock()} ${this.plainLine(s)}\n`);
  }
}
