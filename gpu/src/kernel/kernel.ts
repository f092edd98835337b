import type { Engine, Workgroups } from '../runtime/engine.ts';
import type { Tensor } from '../tensor/tensor.ts';

export type ParamType = 'u32' | 'i32' | 'f32';

/**
 * A WGSL kernel whose prelude (uniform struct, bindings typed by the tensors' dtypes) is generated:
 * binding 0 is `params`, then `inputs` (read-only), then `outputs`, each an array named as listed.
 */
export interface KernelDefinition {
  /** Pipeline cache key prefix; the bound dtypes complete it. */
  name: string;
  params: Readonly<Record<string, ParamType>>;
  inputs: readonly string[];
  outputs: readonly string[];
  /** WGSL after the prelude: `fn main` and any helpers. */
  main: string;
  /** Directives that must open the module (`enable subgroups;`, diagnostic filters). */
  directives?: readonly string[];
  /** Bindings read as vec4s of their tensor's dtype, e.g. `{ weight: 'vec4' }`. */
  elementTypes?: Readonly<Record<string, 'vec4'>>;
}

export interface KernelLaunch {
  /** Names the op and its shapes, for errors. */
  operation: string;
  inputs: readonly Tensor[];
  outputs: readonly Tensor[];
  params: Readonly<Record<string, number>>;
  workgroups: Workgroups;
}

export function runKernel(
  engine: Engine,
  kernel: KernelDefinition,
  { operation, inputs, outputs, params, workgroups }: KernelLaunch,
): void {
  const tensors = [...inputs, ...outputs];
  const dtypes = tensors.map((tensor) => tensor.dtype);
  engine.dispatch({
    operation,
    pipelineKey: `${kernel.name} (${dtypes.join(', ')})`,
    shader: () => kernelShader(kernel, dtypes),
    uniforms: packParams(kernel, params),
    buffers: tensors.map((tensor) => tensor.bufferFor(operation)),
    workgroups,
  });
}

function kernelShader(kernel: KernelDefinition, dtypes: readonly string[]): string {
  const fields = Object.entries(kernel.params).map(([name, type]) => `${name}: ${type}`);
  const bindings = [
    ...kernel.inputs.map((name) => [name, 'read'] as const),
    ...kernel.outputs.map((name) => [name, 'read_write'] as const),
  ].map(
    ([name, access], index) =>
      `@group(0) @binding(${index + 1}) var<storage, ${access}> ${name}: ` +
      `array<${kernel.elementTypes?.[name] ? `vec4<${dtypes[index]}>` : dtypes[index]}>;`,
  );
  return [
    dtypes.includes('f16') ? 'enable f16;' : '',
    ...(kernel.directives ?? []),
    `struct Params { ${fields.join(', ')} }`,
    '@group(0) @binding(0) var<uniform> params: Params;',
    ...bindings,
    kernel.main,
  ].join('\n');
}

function packParams(
  kernel: KernelDefinition,
  values: Readonly<Record<string, number>>,
): ArrayBuffer {
  const types = Object.entries(kernel.params);
  const view = new DataView(new ArrayBuffer(types.length * 4));
  types.forEach(([name, type], index) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${kernel.name}: no value for parameter ${name}`);
    if (type === 'f32') view.setFloat32(index * 4, value, true);
    else if (type === 'i32') view.setInt32(index * 4, value, true);
    else view.setUint32(index * 4, value, true);
  });
  return view.buffer;
}
