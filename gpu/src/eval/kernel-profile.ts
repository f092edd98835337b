import type { OperationTime } from '../runtime/dispatch-profiler.ts';

/** One kernel's GPU time over a profiled step, all its operations (shapes) together. */
export interface KernelTime {
  kernel: string;
  callsPerStep: number;
  msPerStep: number;
  /** Of the step's GPU time. */
  share: number;
}

export interface KernelProfile {
  steps: number;
  gpuMsPerStep: number;
  /** Longest first. */
  kernels: KernelTime[];
}

/** `operations` timed over `steps` steps, grouped by kernel. */
export function kernelProfile(operations: readonly OperationTime[], steps: number): KernelProfile {
  const byKernel = new Map<string, { dispatches: number; seconds: number }>();
  for (const { kernel, dispatches, seconds } of operations) {
    const total = byKernel.get(kernel) ?? { dispatches: 0, seconds: 0 };
    total.dispatches += dispatches;
    total.seconds += seconds;
    byKernel.set(kernel, total);
  }
  const totalSeconds = operations.reduce((sum, { seconds }) => sum + seconds, 0);
  return {
    steps,
    gpuMsPerStep: (totalSeconds / steps) * 1000,
    kernels: [...byKernel]
      .map(([kernel, { dispatches, seconds }]) => ({
        kernel,
        callsPerStep: dispatches / steps,
        msPerStep: (seconds / steps) * 1000,
        share: totalSeconds > 0 ? seconds / totalSeconds : 0,
      }))
      .sort((a, b) => b.msPerStep - a.msPerStep),
  };
}

/** A header and one line per kernel, longest first. */
export function formatKernelProfile(title: string, profile: KernelProfile): string[] {
  return [
    `${title}: ${profile.gpuMsPerStep.toFixed(1)} ms of GPU time per step; per kernel, per step:`,
    ...profile.kernels.map(
      (kernel) =>
        `${kernel.msPerStep.toFixed(2).padStart(9)} ms ${(kernel.share * 100).toFixed(1).padStart(5)}% ` +
        `${kernel.callsPerStep.toFixed(0).padStart(5)} calls  ${kernel.kernel}`,
    ),
  ];
}
