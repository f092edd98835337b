import { noGrad } from '../autograd/grad-mode.ts';
import { registeredOps } from '../ops/index.ts';
import type { Gpu } from '../runtime/device.ts';
import { engineFor } from '../runtime/engine.ts';
import { tensor } from '../tensor/create.ts';
import { formatShape, sizeOf } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { randomFloat32Array, seededRandom } from '../util/random.ts';
import { opCases, type InputSpec, type OpCase, type OpDims } from './op-cases.ts';
import { median, timeTrials } from './statistics.ts';

export interface OpTiming {
  op: string;
  /** The inputs' shapes, e.g. "[4096, 1024], [512] i32" (f32 unless marked). */
  inputs: string;
  /** Per forward call, best trial. */
  ms: number;
  medianMs: number;
}

/** A registered op the benchmark did not time: none of its calls is defined here, or it threw. */
export type UntimedOp = { op: string; skipped: string } | { op: string; failed: string };

export interface OpBenchmarkOptions {
  dims: OpDims;
  /** Forward calls per timed trial, encoded together and submitted once. */
  repeats: number;
  trials: number;
}

/**
 * Forward time of every registered op at a representative shape. An op without one, or one that
 * throws, gets a row that says so: the other ops are still timed.
 */
export async function timeRegisteredOps(
  gpu: Gpu,
  options: OpBenchmarkOptions,
): Promise<(OpTiming | UntimedOp)[]> {
  const cases = opCases(options.dims);
  const timings: (OpTiming | UntimedOp)[] = [];
  for (const op of registeredOps()) {
    const opCase = cases[op];
    if (!opCase) {
      timings.push({ op, skipped: 'the benchmark has no representative call for it yet' });
      continue;
    }
    try {
      timings.push(await timeOp(gpu, op, opCase, options));
    } catch (error) {
      timings.push({ op, failed: firstLine(error) });
    }
  }
  return timings;
}

async function timeOp(
  gpu: Gpu,
  op: string,
  opCase: OpCase,
  { repeats, trials }: OpBenchmarkOptions,
): Promise<OpTiming> {
  const random = seededRandom(1);
  const inputs = opCase.inputs.map((spec) => createInput(gpu, spec, random));
  const engine = engineFor(gpu);
  const callAndWait = async (calls: number) => {
    noGrad(() => {
      for (let call = 0; call < calls; call++) opCase.call(inputs).dispose();
    });
    await engine.flush();
    await gpu.device.queue.onSubmittedWorkDone();
  };
  try {
    await callAndWait(1); // compiles the op's pipelines
    const seconds = await timeTrials(trials, () => callAndWait(repeats));
    const msPerCall = seconds.map((trial) => (trial * 1e3) / repeats);
    return {
      op,
      inputs: opCase.inputs.map(describeInput).join(', '),
      ms: Math.min(...msPerCall),
      medianMs: median(msPerCall),
    };
  } finally {
    for (const input of inputs) input.dispose();
  }
}

function createInput(gpu: Gpu, { shape, idsBelow }: InputSpec, random: () => number): Tensor {
  const length = sizeOf(shape);
  return idsBelow === undefined
    ? tensor(gpu, randomFloat32Array(length, random), shape)
    : tensor(
        gpu,
        Int32Array.from({ length }, () => Math.floor(random() * idsBelow)),
        shape,
      );
}

function describeInput({ shape, idsBelow }: InputSpec): string {
  return idsBelow === undefined ? formatShape(shape) : `${formatShape(shape)} i32`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
