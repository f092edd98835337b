import { createStorageBuffer, createUniformBuffer, readFloat32 } from '../runtime/buffers.ts';
import type { Gpu } from '../runtime/device.ts';
import { engineFor } from '../runtime/engine.ts';
import { withValidation } from '../runtime/error-scope.ts';
import { encodeFloat16 } from '../util/float16.ts';
import {
  checkKernel,
  checkWorkgroupLimit,
  matmulStrides,
  type MatmulGeometry,
  type MatmulKernel,
  type MatmulKernelOptions,
  type MatmulPlan,
} from './matmul-plan.ts';
import type { MatmulInputType } from './matmul-shader.ts';
import {
  planProduct,
  planWindowedMatmul,
  windowedLaunches,
  type Launch,
  type MatmulOperands,
} from './matmul-window.ts';

/** C[m,n] = A[m,k] x B[k,n]. */
export interface MatmulShape {
  m: number;
  k: number;
  n: number;
}

/** The kernel choice (MatmulKernelOptions: `kernel` and `subgroups`), and the types. */
export interface MatmulOptions extends MatmulKernelOptions {
  /**
   * Storage type of A and B (default f32). With f16 (needs the device feature shader-f16), inputs
   * are rounded to f16 on upload and products accumulate in f32; C is f32 either way.
   */
  dtype?: MatmulInputType;
  /**
   * Arithmetic type (default f32). f16 (needs dtype f16) multiplies and sums in f16, faster where
   * the hardware has f16 arithmetic, with f16's rounding in every sum; C is still returned as f32.
   */
  compute?: MatmulInputType;
}

/** One shape's buffers and bind group on the GPU, for timing dispatches without transfers. */
export interface MatmulRunner {
  readonly shape: MatmulShape;
  readonly dtype: MatmulInputType;
  readonly compute: MatmulInputType;
  /** The kernel its dispatches run. */
  readonly kernel: MatmulKernel | 'windowed';
  /** Writes A (m*k values) and B (k*n values), row-major. */
  upload(a: Float32Array, b: Float32Array): void;
  /**
   * Encodes `times` dispatches into one command buffer and submits it before returning; resolves
   * once the GPU has finished them.
   */
  dispatch(times?: number): Promise<void>;
  /** C (m*n values, row-major) as the last dispatch left it. */
  read(): Promise<Float32Array>;
  destroy(): void;
}

const BYTES_PER_ELEMENT: Record<MatmulInputType, number> = { f32: 4, f16: 2 };

/** C = A x B on the GPU, transfers included. */
export async function matmul(
  gpu: Gpu,
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  options: MatmulOptions = {},
): Promise<Float32Array> {
  const runner = await createMatmulRunner(gpu, m, k, n, options);
  try {
    runner.upload(a, b);
    await runner.dispatch();
    return await runner.read();
  } finally {
    runner.destroy();
  }
}

export async function createMatmulRunner(
  gpu: Gpu,
  m: number,
  k: number,
  n: number,
  { subgroups = true, dtype = 'f32', compute = 'f32', kernel = 'auto' }: MatmulOptions = {},
): Promise<MatmulRunner> {
  const shape = { m, k, n };
  const operation = `matmul [M=${m}, K=${k}, N=${n}]`;
  const { device } = gpu;
  if (dtype === 'f16' && !device.features.has('shader-f16')) {
    throw new Error(
      `${operation}: dtype f16 needs the WebGPU feature shader-f16, which this device lacks`,
    );
  }
  if (compute === 'f16' && dtype !== 'f16') {
    throw new Error(`${operation}: f16 compute needs dtype f16 inputs, not ${dtype}`);
  }
  const geometry = runnerGeometry(shape, dtype, compute);
  checkKernel(operation, kernel);
  checkShape(geometry, operation, device.limits);
  const plan = planProduct(gpu, geometry, { kernel, subgroups });
  if (plan) checkWorkgroupLimit(gpu, plan, operation);

  const inputBytes = (elements: number) => Math.ceil((elements * BYTES_PER_ELEMENT[dtype]) / 4) * 4;
  const { launches, operands, buffers } = await withValidation(device, operation, () => {
    const operands = {
      a: createStorageBuffer(device, 'matmul A', inputBytes(m * k)),
      b: createStorageBuffer(device, 'matmul B', inputBytes(k * n)),
      c: createStorageBuffer(device, 'matmul C', m * n * 4, GPUBufferUsage.COPY_SRC),
    };
    return { operands, ...createLaunches(gpu, geometry, plan, operands) };
  });
  const encode = (values: Float32Array) => (dtype === 'f16' ? encodeFloat16(values) : values);

  return {
    shape,
    dtype,
    compute,
    kernel: plan?.kernel ?? 'windowed',
    upload(a, b) {
      checkLength(operation, 'A', a, m * k, 'M*K');
      checkLength(operation, 'B', b, k * n, 'K*N');
      device.queue.writeBuffer(operands.a, 0, encode(a));
      device.queue.writeBuffer(operands.b, 0, encode(b));
    },
    async dispatch(times = 1) {
      const workDone = await withValidation(device, operation, () => {
        const encoder = device.createCommandEncoder({ label: operation });
        const pass = encoder.beginComputePass();
        for (let index = 0; index < times; index++) {
          for (const { pipeline, bindGroup, workgroups } of launches) {
            pass.setPipeline(pipeline);
            pass.setBindGroup(0, bindGroup);
            pass.dispatchWorkgroups(...workgroups);
          }
        }
        pass.end();
        device.queue.submit([encoder.finish()]);
        return device.queue.onSubmittedWorkDone();
      });
      await workDone;
    },
    read: () => readFloat32(device, operands.c),
    destroy() {
      for (const buffer of [...Object.values(operands), ...buffers]) buffer.destroy();
    },
  };
}

function runnerGeometry(
  shape: MatmulShape,
  dtype: MatmulInputType,
  compute: MatmulInputType,
): MatmulGeometry {
  return {
    batch: 1,
    ...shape,
    transposeA: false,
    transposeB: false,
    aBatchStride: 0,
    bBatchStride: 0,
    aType: dtype,
    bType: dtype,
    compute,
  };
}

/** The kernel a runner of this shape and these options dispatches, without creating one. */
export function matmulKernelFor(
  gpu: Gpu,
  shape: MatmulShape,
  { subgroups = true, dtype = 'f32', compute = 'f32', kernel = 'auto' }: MatmulOptions = {},
): MatmulRunner['kernel'] {
  const geometry = runnerGeometry(shape, dtype, compute);
  return planProduct(gpu, geometry, { kernel, subgroups })?.kernel ?? 'windowed';
}

/**
 * The launches of one matmul over `operands`, and the buffers they use besides: one dispatch of
 * `plan`, or without one the windowed kernel's packs and tiles (CPU adapters).
 */
function createLaunches(
  gpu: Gpu,
  geometry: MatmulGeometry,
  plan: MatmulPlan | undefined,
  operands: MatmulOperands,
): { launches: Launch[]; buffers: GPUBuffer[] } {
  const { device } = gpu;
  const { pipelines } = engineFor(gpu);
  if (!plan) {
    const windows = planWindowedMatmul(geometry, matmulStrides(geometry));
    const packedUsage = GPUBufferUsage.STORAGE | GPUBufferUsage.UNIFORM;
    const packed = (name: string, size: number) =>
      device.createBuffer({ label: `matmul packed ${name}`, size, usage: packedUsage });
    const workspace = {
      packedA: packed('A', windows.packedABytes),
      packedB: packed('B', windows.packedBBytes),
      uniforms: device.createBuffer({
        label: 'matmul windows',
        size: windows.uniforms.byteLength,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      }),
    };
    device.queue.writeBuffer(workspace.uniforms, 0, windows.uniforms);
    return {
      launches: windowedLaunches(device, pipelines, windows, operands, workspace),
      buffers: Object.values(workspace),
    };
  }
  const pipeline = pipelines.get(plan.pipelineKey, plan.shader);
  const dims = createUniformBuffer(device, 'matmul dims', [...new Uint32Array(plan.uniforms)]);
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [dims, operands.a, operands.b, operands.c].map((buffer, binding) => ({
      binding,
      resource: { buffer },
    })),
  });
  return {
    launches: [
      {
        pipeline,
        bindGroup,
        workgroups: plan.workgroups as Launch['workgroups'],
        kernel: plan.pipelineKey,
      },
    ],
    buffers: [dims],
  };
}

function checkShape(geometry: MatmulGeometry, operation: string, limits: GPUSupportedLimits): void {
  const { m, k, n, aType } = geometry;
  if (![m, k, n].every((dim) => Number.isInteger(dim) && dim > 0)) {
    throw new Error(`${operation}: dimensions must be positive integers`);
  }
  const bindingLimit = limits.maxStorageBufferBindingSize;
  for (const [name, bytes] of [
    ['A', m * k * BYTES_PER_ELEMENT[aType]],
    ['B', k * n * BYTES_PER_ELEMENT[aType]],
    ['C', m * n * 4],
  ] as const) {
    if (bytes > bindingLimit) {
      throw new Error(
        `${operation}: ${name} needs ${bytes} bytes, over this device's ` +
          `maxStorageBufferBindingSize of ${bindingLimit} bytes`,
      );
    }
  }
}

function checkLength(
  operation: string,
  name: string,
  values: Float32Array,
  expected: number,
  formula: string,
): void {
  if (values.length !== expected) {
    throw new Error(
      `${operation}: ${name} has ${values.length} values, expected ${formula} = ${expected}`,
    );
  }
}
