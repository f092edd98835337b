import { generate } from '../inference/generate.ts';
import type { LlamaModel } from '../inference/llama-model.ts';
import type { OperationTime } from '../runtime/dispatch-profiler.ts';

/** One kernel's part of a decode step, from GPU timestamps. */
export interface DecodeKernelTime {
  operation: string;
  kernel: string;
  callsPerStep: number;
  microsecondsPerStep: number;
  /** Of the GPU time of a step. */
  share: number;
  /** Bytes of the tensors it binds as inputs over its time: a bound on what it reads per second. */
  inputGbS: number;
}

export interface DecodeProfile {
  steps: number;
  /** GPU time of one decode step, all kernels together. */
  gpuMsPerStep: number;
  kernels: DecodeKernelTime[];
}

const keyOf = ({ kernel, operation }: OperationTime) => `${kernel}\u0000${operation}`;

/**
 * The kernels of one decode step of `prompts` and their GPU time: a generation of `generateLength`
 * tokens profiled, less one of a single token (its prefill), per decode step. Each dispatch runs in
 * a timed pass of its own, so the step's wall time is not measured here (measureInference does).
 */
export async function profileDecode(
  model: LlamaModel,
  prompts: readonly (readonly number[])[],
  generateLength: number,
): Promise<DecodeProfile> {
  if (generateLength < 2) throw new Error('profiling decode needs at least 2 generated tokens');
  const profiled = (maxNewTokens: number) =>
    model.engine.profile(() => generate(model, prompts, { maxNewTokens }));
  const prefill = new Map((await profiled(1)).operations.map((time) => [keyOf(time), time]));
  const { operations } = await profiled(generateLength);
  const steps = generateLength - 1;
  const decode = operations
    .map((time) => {
      const before = prefill.get(keyOf(time));
      return {
        ...time,
        dispatches: time.dispatches - (before?.dispatches ?? 0),
        seconds: Math.max(0, time.seconds - (before?.seconds ?? 0)),
      };
    })
    .filter((time) => time.dispatches > 0);
  const totalSeconds = decode.reduce((sum, time) => sum + time.seconds, 0);
  return {
    steps,
    gpuMsPerStep: (totalSeconds / steps) * 1000,
    kernels: decode
      .sort((a, b) => b.seconds - a.seconds)
      .map((time) => ({
        operation: time.operation,
        kernel: time.kernel,
        callsPerStep: time.dispatches / steps,
        microsecondsPerStep: (time.seconds / steps) * 1e6,
        share: totalSeconds > 0 ? time.seconds / totalSeconds : 0,
        inputGbS: time.seconds > 0 ? (time.inputBytes * time.dispatches) / time.seconds / 1e9 : 0,
      })),
  };
}

/** The profile as text lines: a header, then one line per kernel, longest first. */
export function formatDecodeProfile(title: string, profile: DecodeProfile): string[] {
  const rows = profile.kernels.map(
    (kernel) =>
      `${kernel.microsecondsPerStep.toFixed(0).padStart(8)} us ${(kernel.share * 100).toFixed(1).padStart(5)}% ` +
      `${kernel.callsPerStep.toFixed(2).padStart(6)} calls ${kernel.inputGbS.toFixed(2).padStart(7)} GB/s  ` +
      `${kernel.operation} [${kernel.kernel}]`,
  );
  return [
    `${title}: ${profile.gpuMsPerStep.toFixed(2)} ms of GPU time per decode step (${profile.steps} steps profiled); per kernel, per step (GB/s: its inputs' bytes over its time):`,
    ...rows,
  ];
}
