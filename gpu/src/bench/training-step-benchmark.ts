import { backward } from '../autograd/backward.ts';
import { add, batchMatmul, crossEntropy, embedding, rmsNorm, swiglu } from '../ops/index.ts';
import { AdamW } from '../optim/adamw.ts';
import { clipGradNorm } from '../optim/clip-grad-norm.ts';
import { createStorageBuffer } from '../runtime/buffers.ts';
import type { Gpu } from '../runtime/device.ts';
import { engineFor } from '../runtime/engine.ts';
import { withValidation } from '../runtime/error-scope.ts';
import { tensor } from '../tensor/create.ts';
import { sizeOf } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { randomFloat32Array, seededRandom } from '../util/random.ts';
import { median, timeTrials } from './statistics.ts';

/** A one-block Llama-style language model: embedding, RMSNorm, SwiGLU FFN with residual, head. */
export interface TrainingStepDims {
  tokens: number;
  width: number;
  hidden: number;
  vocabulary: number;
}

export const SMALL_MODEL: TrainingStepDims = {
  tokens: 128,
  width: 256,
  hidden: 704,
  vocabulary: 1024,
};

export interface TrainingStepTiming {
  dims: TrainingStepDims;
  parameters: number;
  /** One step: forward, backward, global-norm clipping, AdamW, the loss read back. */
  ms: number;
  medianMs: number;
  /** Dispatches and command-buffer submits a step makes. */
  dispatches: number;
  submits: number;
  /** That many empty dispatches in one pass, submitted and awaited: dispatching alone. */
  emptyDispatchesMs: number;
  /** One 4-byte readback (copy, submit, map), awaited: a step's sync with the host. */
  readbackMs: number;
  /** (emptyDispatchesMs + submits x readbackMs) / ms: the share of a step that is overhead. */
  overheadFraction: number;
}

/**
 * Times training steps of a small model, and beside them what their dispatches and their one
 * readback a step would cost with no work in them, so a step dominated by submits and readbacks
 * shows as an overhead fraction near 1.
 */
export async function timeTrainingStep(
  gpu: Gpu,
  { trials, steps, dims = SMALL_MODEL }: { trials: number; steps: number; dims?: TrainingStepDims },
): Promise<TrainingStepTiming> {
  const model = createModel(gpu, dims);
  const engine = engineFor(gpu);
  try {
    await model.step(); // compiles every pipeline and creates the optimiser's moments
    const dispatchesBefore = engine.batch.dispatched;
    const submitsBefore = engine.batch.submits;
    await model.step();
    const dispatches = engine.batch.dispatched - dispatchesBefore;
    const submits = engine.batch.submits - submitsBefore;
    const seconds = await timeTrials(trials, async () => {
      for (let step = 0; step < steps; step++) await model.step();
    });
    const msPerStep = seconds.map((trial) => (trial * 1e3) / steps);
    const ms = Math.min(...msPerStep);
    const emptyDispatchesMs = await timeEmptyDispatches(gpu, dispatches, trials);
    const readbackMs = await timeReadback(gpu, trials);
    return {
      dims,
      parameters: model.parameterCount,
      ms,
      medianMs: median(msPerStep),
      dispatches,
      submits,
      emptyDispatchesMs,
      readbackMs,
      overheadFraction: (emptyDispatchesMs + submits * readbackMs) / ms,
    };
  } finally {
    model.dispose();
  }
}

interface Model {
  parameterCount: number;
  step(): Promise<void>;
  dispose(): void;
}

function createModel(gpu: Gpu, { tokens, width, hidden, vocabulary }: TrainingStepDims): Model {
  const random = seededRandom(3);
  const parameter = (shape: number[], scale: number) => {
    const values = randomFloat32Array(sizeOf(shape), random).map((value) => value * scale);
    return tensor(gpu, values, shape, { requiresGrad: true });
  };
  const ones = (size: number) =>
    tensor(gpu, new Float32Array(size).fill(1), [size], { requiresGrad: true });
  const table = parameter([vocabulary, width], 1);
  const norm = ones(width);
  const gate = parameter([width, hidden], 1 / Math.sqrt(width));
  const up = parameter([width, hidden], 1 / Math.sqrt(width));
  const down = parameter([hidden, width], 1 / Math.sqrt(hidden));
  const headNorm = ones(width);
  const head = parameter([width, vocabulary], 1 / Math.sqrt(width));
  const parameters = [table, norm, gate, up, down, headNorm, head];
  const ids = tensor(
    gpu,
    Int32Array.from({ length: tokens }, (_, t) => (t * 7) % vocabulary),
    [tokens],
  );
  const targets = tensor(
    gpu,
    Int32Array.from({ length: tokens }, (_, t) => (t * 7 + 1) % vocabulary),
    [tokens],
  );
  const optimizer = new AdamW(parameters, { learningRate: 1e-3 });
  const forward = (): Tensor => {
    const x = embedding(table, ids);
    const normed = rmsNorm(x, norm);
    const ffn = batchMatmul(swiglu(batchMatmul(normed, gate), batchMatmul(normed, up)), down);
    const logits = batchMatmul(rmsNorm(add(x, ffn), headNorm), head);
    return crossEntropy(logits, targets);
  };
  return {
    parameterCount: parameters.reduce((total, p) => total + p.size, 0),
    async step() {
      const loss = forward();
      backward(loss);
      clipGradNorm(
        parameters.map((p) => p.grad!),
        1,
      ).dispose();
      optimizer.step();
      optimizer.zeroGrad();
      await loss.read();
      loss.dispose();
    },
    dispose() {
      for (const tensor of [...parameters, ids, targets]) tensor.dispose();
      optimizer.dispose();
    },
  };
}

const EMPTY_SHADER = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> sink: array<u32>;
@compute @workgroup_size(1)
fn main() { sink[0] = 1u; }`;

/** Best time of `count` one-invocation dispatches encoded in one pass, submitted and awaited. */
async function timeEmptyDispatches(gpu: Gpu, count: number, trials: number): Promise<number> {
  const { device } = gpu;
  const label = 'empty dispatches';
  const sink = createStorageBuffer(device, `${label} sink`, 4);
  try {
    const pipeline = await device.createComputePipelineAsync({
      label,
      layout: 'auto',
      compute: { module: device.createShaderModule({ label, code: EMPTY_SHADER }) },
    });
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: sink } }],
    });
    const run = async () => {
      const done = await withValidation(device, label, () => {
        const encoder = device.createCommandEncoder({ label });
        const pass = encoder.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bindGroup);
        for (let index = 0; index < count; index++) pass.dispatchWorkgroups(1);
        pass.end();
        device.queue.submit([encoder.finish()]);
        return device.queue.onSubmittedWorkDone();
      });
      await done;
    };
    await run();
    return Math.min(...(await timeTrials(trials, run))) * 1e3;
  } finally {
    sink.destroy();
  }
}

/** Best time of one 4-byte copy to a mappable buffer, submitted, mapped and unmapped. */
async function timeReadback(gpu: Gpu, trials: number): Promise<number> {
  const { device } = gpu;
  const source = createStorageBuffer(device, 'readback source', 4, GPUBufferUsage.COPY_SRC);
  const target = device.createBuffer({
    label: 'readback target',
    size: 4,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    const run = async () => {
      const encoder = device.createCommandEncoder({ label: 'readback' });
      encoder.copyBufferToBuffer(source, 0, target, 0, 4);
      device.queue.submit([encoder.finish()]);
      await target.mapAsync(GPUMapMode.READ);
      target.unmap();
    };
    await run();
    return Math.min(...(await timeTrials(trials, run))) * 1e3;
  } finally {
    source.destroy();
    target.destroy();
  }
}
