// Accelerator peaks for cost estimates (`scaling plan --device`): dense BF16 tensor-core TFLOP/s per device, each with its source.
import { InputError } from '../util/errors.ts';

export interface DeviceSpec {
  /** Key on the command line, e.g. 'h100', or the NAME of NAME:PEAK. */
  key: string;
  label: string;
  /** Dense (no 2:4 sparsity) BF16 tensor-core peak of one device, TFLOP/s. */
  peakTflops: number;
  /** Where the number comes from. */
  source: string;
}

/**
 * NVIDIA's datasheets list BF16 tensor-core throughput "with sparsity"; the dense peak is half of it (their footnote). SXM parts:
 * H100 SXM5 1,979 → 989.4 (also NVIDIA's Hopper whitepaper: 989.4 dense), H200 SXM the same Hopper GPU (1,979 → 989.4),
 * A100 SXM 624 → 312.
 */
export const DEVICES: Readonly<Record<string, DeviceSpec>> = {
  h100: { key: 'h100', label: 'NVIDIA H100 SXM', peakTflops: 989.4, source: 'NVIDIA H100 Tensor Core GPU datasheet: BF16 1,979 TFLOPS with sparsity (dense = half)' },
  h200: { key: 'h200', label: 'NVIDIA H200 SXM', peakTflops: 989.4, source: 'NVIDIA H200 Tensor Core GPU datasheet: BF16 1,979 TFLOPS with sparsity (dense = half)' },
  a100: { key: 'a100', label: 'NVIDIA A100 SXM', peakTflops: 312, source: 'NVIDIA A100 Tensor Core GPU datasheet: BF16 312 TFLOPS dense (624 with sparsity)' },
};
export const DEVICE_NAMES = Object.keys(DEVICES);

/** `h100` | `h200` | `a100` (case-insensitive) | `NAME:PEAK_TFLOPS` (your device's dense BF16 peak), or an InputError naming the flag. */
export function parseDevice(spec: string, flag = '--device'): DeviceSpec {
  const s = String(spec).trim();
  const known = DEVICES[s.toLowerCase()];
  if (known) return known;
  const m = /^([A-Za-z0-9._+-]+):([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)$/.exec(s);
  if (m) {
    const peak = Number(m[2]);
    if (!(peak > 0) || !Number.isFinite(peak)) throw new InputError(`peak must be a positive number of TFLOP/s, got '${m[2]}'`, { field: flag });
    return { key: m[1], label: m[1], peakTflops: peak, source: 'given on the command line' };
  }
  throw new InputError(`unknown device '${s}' (known: ${DEVICE_NAMES.join(', ')}; or NAME:PEAK_TFLOPS, the dense BF16 peak, e.g. mi300x:1307)`, { field: flag });
}

/** A model FLOPs utilisation in (0, 1], or an InputError naming the flag. */
export function parseMfu(v: unknown, flag = '--mfu'): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!(n > 0 && n <= 1)) throw new InputError(`must be a fraction in (0, 1] (e.g. 0.4 for 40% of peak), got '${v}'`, { field: flag });
  return n;
}
