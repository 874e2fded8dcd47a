// The progress display's plain-line mode (used when stdout/stderr is not a TTY): values, percentages, ETA and one line at completion.
import { describe, expect, it, vi } from 'vitest';
import { MultiProgress, formatDuration } from '../src/util/progress.ts';

function fakeStream(): { stream: NodeJS.WriteStream; lines: string[] } {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WriteStream;
  return { stream, lines };
}

describe('formatDuration', () => {
  it('prints seconds, minutes and hours', () => {
    expect(formatDuration(5.4)).toBe('5s');
    expect(formatDuration(65)).toBe('1m05s');
    expect(formatDuration(7380)).toBe('2h03m');
    expect(formatDuration(NaN)).toBe('?');
  });
});

describe('MultiProgress without a TTY', () => {
  it('prints a line per bar at most every plainEveryS, with a rate-based ETA, and exactly one line at completion', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const { stream, lines } = fakeStream();
    const ui = new MultiProgress({ stream, tty: false, plainEveryS: 10, unit: 'tok' });
    expect(ui.isTTY).toBe(false);
    const bar = ui.bar(1000, { label: 'run-a' });
    bar.update(0);
    vi.advanceTimersByTime(5000);
    bar.update(100, { detail: 'loss 2.000' });
    expect(lines).toHaveLength(0); // < 10 s since the first update
    vi.advanceTimersByTime(5000);
    bar.update(200, { detail: 'loss 1.900' });
    // 200 tokens in 10 s → 20 tok/s → 800 left → 40 s
    expect(lines).toEqual(['00:00:10 run-a 20.0% 200/1.00K tok ETA 40s | loss 1.900\n']);
    vi.advanceTimersByTime(1000);
    bar.update(1000);
    bar.update(1000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^00:00:11 run-a 100\.0% 1\.00K\/1\.00K tok ETA 0s/);
    ui.log('done');
    expect(lines[2]).toBe('done\n');
    // the bar reused for the next job restarts its rate window: 250 of 500 in 10 s → ETA 10 s
    bar.setTotal(500);
    bar.update(0, { label: 'run-b', detail: '' });
    vi.advanceTimersByTime(10_000);
    bar.update(250);
    expect(lines[3]).toBe('00:00:21 run-b 50.0% 250/500 tok ETA 10s\n');
    vi.useRealTimers();
  });
});
