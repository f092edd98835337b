import { createStorageBuffer, createUniformBuffer, readFloat32 } from '../runtime/buffers.ts';
import type { Gpu } from '../runtime/device.ts';
import { withValidation } from '../runtime/error-scope.ts';
import {
  COLUMNS_PER_INVOCATION,
  matmulShader,
  ROWS_PER_WORKGROUP,
  WORKGROUP_SIZE,
  type MatmulVariant,
} from './matmul-shader.ts';

/** C[m,n] = A[m,k] x B[k,n]. */
export interface MatmulShape {
  m: number;
  k: number;
  n: number;
}

export interface MatmulOptions {
  /**
   * Allow the subgroup kernel where the device supports it (default true); false forces the
   * kernel that adapters without subgroups get.
   */
  subgroups?: boolean;
}

/** One shape's buffers and bind group on the GPU, for timing dispatches without transfers. */
export interface MatmulRunner {
  readonly shape: MatmulShape;
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

const BYTES_PER_F32 = 4;

/** Compiled pipelines per device, by variant name. */
const pipelines = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

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
  options: MatmulOptions = {},
): Promise<MatmulRunner> {
  const shape = { m, k, n };
  const operation = operationName(shape);
  const { device } = gpu;
  checkShape(shape, operation, device.limits);

  const pipeline = await getPipeline(device, chooseVariant(gpu, shape, options));
  const [workgroupsX, workgroupsY] = workgroupCounts(shape);
  const buffers = await withValidation(device, operation, () => ({
    dims: createUniformBuffer(device, 'matmul dims', [m, k, n]),
    a: createStorageBuffer(device, 'matmul A', m * k * BYTES_PER_F32),
    b: createStorageBuffer(device, 'matmul B', k * n * BYTES_PER_F32),
    c: createStorageBuffer(device, 'matmul C', m * n * BYTES_PER_F32, GPUBufferUsage.COPY_SRC),
  }));
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [buffers.dims, buffers.a, buffers.b, buffers.c].map((buffer, binding) => ({
      binding,
      resource: { buffer },
    })),
  });

  return {
    shape,
    upload(a, b) {
      checkLength(operation, 'A', a, m * k, 'M*K');
      checkLength(operation, 'B', b, k * n, 'K*N');
      device.queue.writeBuffer(buffers.a, 0, a);
      device.queue.writeBuffer(buffers.b, 0, b);
    },
    async dispatch(times = 1) {
      const workDone = await withValidation(device, operation, () => {
        const encoder = device.createCommandEncoder({ label: operation });
        const pass = encoder.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bindGroup);
        for (let index = 0; index < times; index++) {
          pass.dispatchWorkgroups(workgroupsX, workgroupsY);
        }
        pass.end();
        device.queue.submit([encoder.finish()]);
        return device.queue.onSubmittedWorkDone();
      });
      await workDone;
    },
    read: () => readFloat32(device, buffers.c),
    destroy() {
      for (const buffer of Object.values(buffers)) buffer.destroy();
    },
  };
}

function chooseVariant(
  { device, adapter }: Gpu,
  { k, n }: MatmulShape,
  { subgroups = true }: MatmulOptions,
): MatmulVariant {
  return {
    layout: k % 4 === 0 && n % 4 === 0 ? 'vec4' : 'scalar',
    subgroups:
      subgroups &&
      device.features.has('subgroups') &&
      (adapter.info.subgroupMinSize ?? 0) >= ROWS_PER_WORKGROUP,
  };
}

function getPipeline(device: GPUDevice, variant: MatmulVariant): Promise<GPUComputePipeline> {
  let byVariant = pipelines.get(device);
  if (!byVariant) {
    byVariant = new Map();
    pipelines.set(device, byVariant);
  }
  const label = `matmul (${variant.layout}${variant.subgroups ? ', subgroups' : ''})`;
  let pipeline = byVariant.get(label);
  if (!pipeline) {
    pipeline = device.createComputePipelineAsync({
      label,
      layout: 'auto',
      compute: {
        module: device.createShaderModule({ label, code: matmulShader(variant) }),
        entryPoint: 'main',
      },
    });
    byVariant.set(label, pipeline);
  }
  return pipeline;
}

/** Workgroups span ROWS_PER_WORKGROUP rows of C; each invocation, 4 columns of them. */
function workgroupCounts({ m, n }: MatmulShape): [number, number] {
  return [
    Math.ceil(n / COLUMNS_PER_INVOCATION / WORKGROUP_SIZE),
    Math.ceil(m / ROWS_PER_WORKGROUP),
  ];
}

function operationName({ m, k, n }: MatmulShape): string {
  return `matmul [M=${m}, K=${k}, N=${n}]`;
}

function checkShape(shape: MatmulShape, operation: string, limits: GPUSupportedLimits): void {
  const { m, k, n } = shape;
  if (![m, k, n].every((dim) => Number.isInteger(dim) && dim > 0)) {
    throw new Error(`${operation}: dimensions must be positive integers`);
  }
  const bindingLimit = limits.maxStorageBufferBindingSize;
  for (const [name, elements] of [
    ['A', m * k],
    ['B', k * n],
    ['C', m * n],
  ] as const) {
    const bytes = elements * BYTES_PER_F32;
    if (bytes > bindingLimit) {
      throw new Error(
        `${operation}: ${name} needs ${bytes} bytes, over this device's ` +
          `maxStorageBufferBindingSize of ${bindingLimit} bytes`,
      );
    }
  }
  const workgroupLimit = limits.maxComputeWorkgroupsPerDimension;
  if (workgroupCounts(shape).some((count) => count > workgroupLimit)) {
    throw new Error(
      `${operation}: needs more than this device's maxComputeWorkgroupsPerDimension of ` +
        `${workgroupLimit} workgroups`,
    );
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
