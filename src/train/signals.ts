// The signals that stop training cleanly (a checkpoint is written first) and the exit code each leaves, so schedulers see why.
//
// SIGINT (Ctrl-C) → 130 and SIGTERM → 143 follow the shell's 128 + signal number convention: "stopped, not finished".
// SIGUSR1 → 75 (EX_TEMPFAIL, sysexits.h: "temporary failure, retry"): the run stopped before a job time limit with its checkpoint
// written and wants to be started again; the batch script of `scaling slurm` requeues its array task on 75 (docs/slurm.md), and
// a cluster admin can make Slurm do it by itself with `RequeueExit=75`. A rerun resumes every stopped run from its checkpoint.
//
// One home for the rule: the trainer (src/train/workers.ts, src/train/worker-main.ts) listens to STOP_SIGNALS and the CLI exits
// with stopExitCode(signal).

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGUSR1'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** Exit code after a clean stop caused by each signal. */
export const STOP_EXIT_CODES: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143, SIGUSR1: 75 };

/** The exit code that requests a requeue (a clean stop on SIGUSR1). */
export const EXIT_REQUEUE = STOP_EXIT_CODES.SIGUSR1;

/** Exit code for a training command that stopped on `signal` after its checkpoint (undefined signal: a stop requested by the library caller → 0). */
export function stopExitCode(signal: StopSignal | undefined): number {
  return signal ? STOP_EXIT_CODES[signal] : 0;
}

/** Installs `handler` for every stop signal; returns the function that removes it again. */
export function onStopSignals(handler: (signal: StopSignal) => void): () => void {
  const listeners = STOP_SIGNALS.map((s) => [s, () => handler(s)] as const);
  for (const [s, l] of listeners) process.on(s, l);
  return () => {
    for (const [s, l] of listeners) process.off(s, l);
  };
}
