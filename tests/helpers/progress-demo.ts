// Drives the progress display the way trainPlan does (an overall line, two workers pulling runs from a queue, one "done" line per
// finished run, other output written straight to stderr meanwhile), for the pseudo-terminal test (tests/report-progress-pty.test.ts).
//   node bin/run-ts.js tests/helpers/progress-demo.ts [RUNS] [STEP_MS]
import { spawn } from 'node:child_process';
import { MultiProgress } from '../../src/util/progress.ts';

const runs = Number(process.argv[2] ?? 6);
const stepMs = Number(process.argv[3] ?? 25);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ui = new MultiProgress({ unit: 'tok' });
const queue = Array.from({ length: runs }, (_, i) => ({ id: `demo-C1.00e10-i${String(i).padStart(2, '0')}`, tokens: 40_000 + 10_000 * (i % 3) }));
const total = queue.reduce((s, r) => s + r.tokens, 0);
const overall = ui.overall(total, { label: 'overall', detail: `0/${runs} runs finished` });
const done = new Map<string, number>();
let finished = 0;
const bump = () => overall.update([...done.values()].reduce((a, b) => a + b, 0), { detail: `${finished}/${runs} runs finished` });

async function worker(w: number): Promise<void> {
  const bar = ui.bar(1, { label: `worker ${w}` });
  for (let run = queue.shift(); run; run = queue.shift()) {
    bar.setTotal(run.tokens);
    bar.update(0, { label: `w${w} ${run.id}`, detail: 'starting' });
    for (let t = 0; t <= run.tokens; t += 5_000) {
      await sleep(stepMs);
      bar.update(t, { detail: `loss ${(3 - t / run.tokens).toFixed(3)} | 12.3K tok/s` });
      done.set(run.id, t);
      bump();
    }
    finished++;
    // What the experiment's logger does: a plain write to stderr, not through the display.
    process.stderr.write(`    done     ${run.id}: 10 steps, ${run.tokens} tokens\n`);
    bump();
  }
  bar.remove();
}

// A child process writing to the same terminal through a pipe (as workers' stderr is forwarded).
const child = spawn(process.execPath, ['-e', "setTimeout(() => process.stderr.write('child says hello\\n'), 150)"], { stdio: ['ignore', 'inherit', 'pipe'] });
child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
await Promise.all([worker(1), worker(2), new Promise((r) => child.on('exit', r))]);
ui.stop();
process.stdout.write(`summary: ${finished} runs finished\n`);
