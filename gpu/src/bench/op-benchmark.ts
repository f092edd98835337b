import { backward } from '../autograd/backward.ts';
import { noGrad } from '../ops/grad-mode.ts';
import { groupByExpert, registeredOps, sum } from '../ops/index.ts';
import type { Gpu } from '../runtime/device.ts';
import { engineFor } from '../runtime/engine.ts';
import { tensor } from '../tensor/create.ts';
import { formatShape, sizeOf } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { randomFloat32Array, seededRandom } from '../util/random.ts';
import { opCases, type InputSpec, type OpCase, type OpDims, type OpOutput } from './op-cases.ts';
import { median, timeTrials } from './statistics.ts';

export interface OpTiming {
  op: string;
  /** The inputs' shapes, e.g. "[4096, 1024], [512] i32" (f32 unless marked). */
  inputs: string;
  /** Per forward call, best trial. */
  ms: number;
  medianMs: number;
  /**
   * Per forward and backward call (the output's sum as the loss, gradients for every f32 input),
   * best trial and median; absent for ops without a gradient (topK, groupByExpert).
   */
  backwardMs?: number;
  backwardMedianMs?: number;
}

/**
 * An op the benchmark did not time: a registered op none of whose calls is defined here, or an op
 * that threw.
 */
export type UntimedOp = { op: string; skipped: string } | { op: string; failed: string };

export interface OpBenchmarkOptions {
  dims: OpDims;
  /** Forward calls per timed trial, encoded together and submitted once. */
  repeats: number;
  trials: number;
}

/**
 * Forward time, and forward-and-backward time where the op has a gradient, at a representative
 * shape, of every registered op and of the engine's other ops
 * that have a case (attention, topK, groupByExpert), sorted by name. A registered op without a
 * case, or an op that throws, gets a row that says so: the other ops are still timed.
 */
export async function timeOps(
  gpu: Gpu,
  options: OpBenchmarkOptions,
): Promise<(OpTiming | UntimedOp)[]> {
  const cases = opCases(options.dims);
  const ops = [...new Set([...registeredOps(), ...Object.keys(cases)])].sort();
  const timings: (OpTiming | UntimedOp)[] = [];
  for (const op of ops) {
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
  options: OpBenchmarkOptions,
): Promise<OpTiming> {
  const forward = await timeForward(gpu, opCase, options);
  const withBackward = await timeWithBackward(gpu, opCase, options);
  return {
    op,
    inputs: describeCase(opCase),
    ms: forward.best,
    medianMs: forward.median,
    ...(withBackward && { backwardMs: withBackward.best, backwardMedianMs: withBackward.median }),
  };
}

interface CallTimes {
  best: number;
  median: number;
}

async function timeForward(gpu: Gpu, opCase: OpCase, options: OpBenchmarkOptions) {
  const prepared = prepare(gpu, opCase, seededRandom(1), false);
  try {
    return await timeCalls(gpu, options, () => noGrad(() => prepared.call().dispose()));
  } finally {
    prepared.dispose();
  }
}

/** Forward and backward of the output's sum; undefined for an op whose output has no gradient. */
async function timeWithBackward(
  gpu: Gpu,
  opCase: OpCase,
  options: OpBenchmarkOptions,
): Promise<CallTimes | undefined> {
  const prepared = prepare(gpu, opCase, seededRandom(1), true);
  try {
    const probe = prepared.call();
    if (!(probe instanceof Tensor) || !probe.gradNode) {
      probe.dispose();
      return undefined;
    }
    const differentiate = (output: Tensor) => {
      const loss = sum(output);
      backward(loss);
      loss.dispose();
      for (const input of prepared.inputs) input.zeroGrad();
    };
    differentiate(probe);
    return await timeCalls(gpu, options, () => differentiate(prepared.call() as Tensor));
  } finally {
    prepared.dispose();
  }
}

/** Milliseconds per call of `call`, best and median trial of `repeats` calls, after a warm-up. */
async function timeCalls(
  gpu: Gpu,
  { repeats, trials }: OpBenchmarkOptions,
  call: () => void,
): Promise<CallTimes> {
  const engine = engineFor(gpu);
  const callAndWait = async (calls: number) => {
    for (let index = 0; index < calls; index++) call();
    await engine.flush();
    await gpu.device.queue.onSubmittedWorkDone();
  };
  // Compiles the op's pipelines, and runs whatever prepare() encoded (the expert grouping).
  await callAndWait(1);
  const seconds = await timeTrials(trials, () => callAndWait(repeats));
  const msPerCall = seconds.map((trial) => (trial * 1e3) / repeats);
  return { best: Math.min(...msPerCall), median: median(msPerCall) };
}

/** A case ready to time: its inputs made, and its expert groups too when it has routing. */
interface PreparedCase {
  /** The op's inputs (f32 ones require gradients when prepared for backward). */
  inputs: Tensor[];
  /** One forward call on the prepared inputs. */
  call(): OpOutput;
  /** Frees the inputs and groups. */
  dispose(): void;
}

function prepare(
  gpu: Gpu,
  opCase: OpCase,
  random: () => number,
  requiresGrad: boolean,
): PreparedCase {
  const inputs = opCase.inputs.map((spec) => createInput(gpu, spec, random, requiresGrad));
  const fixtures: OpOutput[] = [...inputs];
  const dispose = () => {
    for (const fixture of fixtures) fixture.dispose();
  };
  if (opCase.routing === undefined) return { inputs, call: () => opCase.call(inputs), dispose };
  try {
    const choices = createInput(gpu, opCase.routing.choices, random, false);
    fixtures.push(choices);
    const groups = groupByExpert(choices, opCase.routing.experts);
    fixtures.push(groups);
    return { inputs, call: () => opCase.call(inputs, groups), dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

function createInput(
  gpu: Gpu,
  { shape, idsBelow, distinct = false }: InputSpec,
  random: () => number,
  requiresGrad: boolean,
): Tensor {
  const length = sizeOf(shape);
  return idsBelow === undefined
    ? tensor(gpu, randomFloat32Array(length, random), shape, { requiresGrad })
    : tensor(gpu, randomIds(length, shape.at(-1) ?? 1, idsBelow, distinct, random), shape);
}

/** `length` ids below `idsBelow`; with `distinct`, each run of `row` of them differs. */
function randomIds(
  length: number,
  row: number,
  idsBelow: number,
  distinct: boolean,
  random: () => number,
): Int32Array {
  if (!distinct) return Int32Array.from({ length }, () => Math.floor(random() * idsBelow));
  if (row > idsBelow)
    throw new Error(`a row of ${row} distinct ids below ${idsBelow} is impossible`);
  const ids = new Int32Array(length);
  const pool = Array.from({ length: idsBelow }, (_, id) => id);
  for (let start = 0; start < length; start += row) {
    // A partial Fisher-Yates shuffle: the row is the start of a uniformly random permutation.
    for (let j = 0; j < row; j++) {
      const pick = j + Math.floor(random() * (idsBelow - j));
      [pool[j], pool[pick]] = [pool[pick]!, pool[j]!];
      ids[start + j] = pool[j]!;
    }
  }
  return ids;
}

function describeCase(opCase: OpCase): string {
  const inputs = opCase.inputs.map(describeInput).join(', ');
  if (opCase.routing === undefined) return inputs;
  const { choices, experts } = opCase.routing;
  return `${inputs}; groups of ${describeInput(choices)} (${experts} experts)`;
}

function describeInput({ shape, idsBelow }: InputSpec): string {
  return idsBelow === undefined ? formatShape(shape) : `${formatShape(shape)} i32`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
