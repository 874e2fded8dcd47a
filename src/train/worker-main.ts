// A training worker process (forked by trainPlan): loads the dataset and backend once, then trains the points the parent sends over IPC.
import { InputError } from '../util/errors.ts';
import { loadDataset, type LoadedDataset } from '../data/dataset.ts';
import { initBackend } from './backend.ts';
import { trainPoint, type TrainProgress } from './loop.ts';
import { trainTrunk } from './trunk.ts';
import { onStopSignals } from './signals.ts';
import type { FromWorker, ToWorker, WorkerInit } from './workers.ts';

let init: WorkerInit | undefined;
let dataset: LoadedDataset | undefined;
let stopping = false;
let busy = false;

const send = (m: FromWorker) => {
  if (process.connected) process.send!(m);
};

// The parent forwards Ctrl-C as a 'stop' message; a direct SIGINT/SIGTERM/SIGUSR1 also stops after the current step's checkpoint.
onStopSignals(() => (stopping = true));
process.on('disconnect', () => {
  stopping = true;
  if (!busy) process.exit(0);
});

process.on('message', async (m: ToWorker) => {
  try {
    if (m.type === 'init') {
      init = m.opts;
      dataset = loadDataset(init.dataDir, init.dataset);
      const backend = await initBackend(init.backend);
      send({ type: 'ready', backend });
    } else if (m.type === 'stop') {
      stopping = true;
    } else if (m.type === 'exit') {
      process.disconnect();
      process.exit(0);
    } else if (m.type === 'train') {
      if (!init || !dataset) throw new Error('worker: train before init');
      const p = m.point;
      busy = true;
      try {
        const common = {
          runsDir: init.runsDir, dataset, backend: init.backend, checkpointEvery: init.checkpointEvery, evalPoints: init.evalPoints, evalBytes: init.evalBytes, optimizer: init.optimizer, representation: init.representation,
          maxMemory: init.maxMemory, planFile: init.planFile,
          shouldStop: () => stopping,
          onProgress: (progress: TrainProgress) => send({ type: 'progress', progress }),
        };
        // A ladder's trunk (docs/ladder.md) tells the parent each time a branch's checkpoint exists, so the branch can be scheduled.
        const r = m.trunk
          ? await trainTrunk(m.trunk.ladder, m.trunk.branches, { ...common, until: m.trunk.until, onBranchReady: (id) => send({ type: 'branch-ready', id }), log: (line) => send({ type: 'log', line }) })
          : await trainPoint(p, common);
        send({ type: 'result', summary: { id: p.id, budget: p.budget, status: r.status, skipped: r.skipped, resumedFrom: r.resumedFrom, steps: r.step, tokens: r.tokens, flops: r.flops, finalValLoss: r.finalValLoss, elapsedS: r.elapsedS } });
      } catch (e) {
        send({ type: 'error', id: p.id, message: (e as Error).message, inputError: e instanceof InputError });
      } finally {
        busy = false;
      }
    }
  } catch (e) {
    send({ type: 'error', message: (e as Error).message, inputError: e instanceof InputError });
    process.exitCode = 1;
    process.disconnect();
  }
});
