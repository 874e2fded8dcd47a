// Per-kernel CPU profile of one training step (for bench/train.ts --profile): wraps every kernel registered for the wasm
// backend with a CPU-time counter (process.cpuUsage, µs), runs the step, and reports CPU ms per kernel name and shape next to
// the step's total; the rest is tfjs itself (op dispatch, autograd bookkeeping, memory management) and our JS around it.
// CPU time, not wall time: other processes on the machine preempt us, which wall-clock timers would charge to kernels.
import { getKernelsForBackend, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

export interface KernelProfile {
  step_cpu_ms: number;
  kernel_cpu_ms: number;
  /** Step CPU time outside every kernel: the engine, autograd and our JS. */
  outside_kernels_cpu_ms: number;
  kernels_per_step: number;
  /** Heaviest first: kernel name with its first input's shape, calls, CPU ms. */
  kernels: { kernel: string; calls: number; cpu_ms: number }[];
}

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** Runs `step` once with every wasm kernel timed; restores the original kernels afterwards. */
export function profileStep(step: () => void, backendName = 'wasm'): KernelProfile {
  const originals: KernelConfig[] = getKernelsForBackend(backendName);
  const totals = new Map<string, { calls: number; us: number }>();
  let depth = 0;
  for (const k of originals) {
    const wrapped: KernelFunc = (args) => {
      // Nested kernels (a kernel calling another through the registry) count once, in the outer one.
      if (depth > 0) return k.kernelFunc(args);
      depth++;
      const t0 = cpuUs();
      try {
        return k.kernelFunc(args);
      } finally {
        const dt = cpuUs() - t0;
        depth--;
        const first = Object.values(args.inputs)[0] as TensorInfo | undefined;
        const key = `${k.kernelName} [${first?.shape ?? ''}]`;
        const e = totals.get(key) ?? { calls: 0, us: 0 };
        e.calls++;
        e.us += dt;
        totals.set(key, e);
      }
    };
    unregisterKernel(k.kernelName, backendName);
    registerKernel({ ...k, kernelFunc: wrapped });
  }
  const t0 = cpuUs();
  try {
    step();
  } finally {
    for (const k of originals) {
      unregisterKernel(k.kernelName, backendName);
      registerKernel(k);
    }
  }
  const stepUs = cpuUs() - t0;
  const kernels = [...totals].map(([kernel, e]) => ({ kernel, calls: e.calls, cpu_ms: e.us / 1000 })).sort((a, b) => b.cpu_ms - a.cpu_ms);
  const kernelMs = kernels.reduce((s, k) => s + k.cpu_ms, 0);
  return {
    step_cpu_ms: stepUs / 1000, kernel_cpu_ms: kernelMs, outside_kernels_cpu_ms: stepUs / 1000 - kernelMs,
    kernels_per_step: kernels.reduce((s, k) => s + k.calls, 0), kernels,
  };
}
