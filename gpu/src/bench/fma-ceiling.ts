import { createStorageBuffer } from '../runtime/buffers.ts';
import { withValidation } from '../runtime/error-scope.ts';
import {
  FMA_PARAMS_BYTES,
  FMA_SHAPES,
  FMA_WORKGROUP_SIZE,
  fmaShader,
  fmasPerIteration,
  type FmaDtype,
  type FmaShape,
} from './fma-shader.ts';
import { best, gflops, timeTrials } from './statistics.ts';

export interface FmaCeilingOptions {
  /** Timed dispatches; the best one counts. */
  trials?: number;
  /** Roughly how long each timed dispatch should run; the loop length is calibrated to it. */
  trialSeconds?: number;
  /** 64-invocation workgroups per dispatch: 4096 fill a large GPU (262,144 invocations). */
  workgroups?: number;
}

/** One arrangement of the FMA kernel and its best trial. */
export interface FmaShapeRate extends FmaShape {
  gflops: number;
  fmasPerInvocation: number;
}

export interface FmaCeiling {
  dtype: FmaDtype;
  /** Best trial of the fastest shape: the ceiling. */
  gflops: number;
  invocations: number;
  /** The fastest shape's. */
  fmasPerInvocation: number;
  /** Every shape measured (FMA_SHAPES), fastest or not. */
  shapes: FmaShapeRate[];
}

const DEFAULTS: Required<FmaCeilingOptions> = { trials: 5, trialSeconds: 0.2, workgroups: 4096 };

/** Loop length of the first calibration dispatch. */
const FIRST_ITERATIONS = 32;
/**
 * Calibration lengthens the loop by this factor until one dispatch runs at least this fraction of
 * a trial, so that launch overheads no longer skew the rate it extrapolates from.
 */
const CALIBRATION_GROWTH = 4;
const MULTIPLIER = 0.999;
const ADDEND = 0.001;

/**
 * The adapter's FMA throughput in `dtype`: the best trial of the fastest of FMA_SHAPES. f16
 * needs shader-f16.
 */
export async function measureFmaCeiling(
  device: GPUDevice,
  dtype: FmaDtype,
  options: FmaCeilingOptions = {},
): Promise<FmaCeiling> {
  const settings = { ...DEFAULTS, ...options };
  const shapes: FmaShapeRate[] = [];
  for (const shape of FMA_SHAPES) shapes.push(await measureShape(device, dtype, shape, settings));
  return ceilingOf(dtype, settings.workgroups * FMA_WORKGROUP_SIZE, shapes);
}

/** The ceiling the fastest of `shapes` sets. */
function ceilingOf(dtype: FmaDtype, invocations: number, shapes: FmaShapeRate[]): FmaCeiling {
  const fastest = shapes.reduce((best, shape) => (shape.gflops > best.gflops ? shape : best));
  return {
    dtype,
    gflops: fastest.gflops,
    invocations,
    fmasPerInvocation: fastest.fmasPerInvocation,
    shapes,
  };
}

/** The better of two measurements of the same ceiling (each shape's best trial of both). */
export function betterCeiling(first: FmaCeiling, second: FmaCeiling): FmaCeiling {
  const shapes = first.shapes.map((shape, index) => {
    const other = second.shapes[index]!;
    return other.gflops > shape.gflops ? other : shape;
  });
  return ceilingOf(first.dtype, first.invocations, shapes);
}

async function measureShape(
  device: GPUDevice,
  dtype: FmaDtype,
  shape: FmaShape,
  { trials, trialSeconds, workgroups }: Required<FmaCeilingOptions>,
): Promise<FmaShapeRate> {
  const kernel = await createFmaKernel(device, dtype, shape, workgroups);
  try {
    const iterations = await calibrateIterations(kernel, trialSeconds);
    const fmasPerInvocation = iterations * fmasPerIteration(shape);
    const seconds = await timeTrials(trials, () => kernel.run(iterations));
    const flops = 2 * fmasPerInvocation * kernel.invocations;
    const rate = best(seconds.map((trial) => gflops(flops, trial)));
    return { ...shape, gflops: rate, fmasPerInvocation };
  } finally {
    kernel.destroy();
  }
}

/** The loop length at which one dispatch runs about `trialSeconds`. */
async function calibrateIterations(kernel: FmaKernel, trialSeconds: number): Promise<number> {
  await kernel.run(FIRST_ITERATIONS); // compiles the pipeline and wakes the device
  for (let iterations = FIRST_ITERATIONS; ; iterations *= CALIBRATION_GROWTH) {
    const [seconds] = await timeTrials(1, () => kernel.run(iterations));
    if (seconds! * CALIBRATION_GROWTH >= trialSeconds) {
      return Math.max(1, Math.round((iterations * trialSeconds) / seconds!));
    }
  }
}

interface FmaKernel {
  readonly invocations: number;
  /** One dispatch of `iterations` loop steps per invocation; resolves when the GPU is done. */
  run(iterations: number): Promise<void>;
  destroy(): void;
}

async function createFmaKernel(
  device: GPUDevice,
  dtype: FmaDtype,
  shape: FmaShape,
  workgroups: number,
): Promise<FmaKernel> {
  const label = `fma ceiling (${dtype}, ${shape.chains} chains x ${shape.depth})`;
  const invocations = workgroups * FMA_WORKGROUP_SIZE;
  const pipeline = await device.createComputePipelineAsync({
    label,
    layout: 'auto',
    compute: { module: device.createShaderModule({ label, code: fmaShader(dtype, shape) }) },
  });
  const params = device.createBuffer({
    label: `${label} params`,
    size: FMA_PARAMS_BYTES,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  const sink = createStorageBuffer(device, `${label} sink`, invocations * 4);
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [params, sink].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });

  return {
    invocations,
    async run(iterations) {
      const workDone = await withValidation(device, label, () => {
        device.queue.writeBuffer(params, 0, paramsBytes(iterations));
        const encoder = device.createCommandEncoder({ label });
        const pass = encoder.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(workgroups);
        pass.end();
        device.queue.submit([encoder.finish()]);
        return device.queue.onSubmittedWorkDone();
      });
      await workDone;
    },
    destroy() {
      params.destroy();
      sink.destroy();
    },
  };
}

function paramsBytes(iterations: number): ArrayBuffer {
  const bytes = new ArrayBuffer(FMA_PARAMS_BYTES);
  const view = new DataView(bytes);
  view.setUint32(0, iterations, true);
  view.setFloat32(4, MULTIPLIER, true);
  view.setFloat32(8, ADDEND, true);
  return bytes;
}
