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
  /**
   * Inputs the kernel reads only as `<name>Vec4(i)`, the i-th vec4 of the tensor widened to vec4f
   * (its binding is not indexed directly). An f16 one is bound as vec2<u32> words and each word
   * unpacked to two halves: lavapipe turns every scalar load into a bounds-checked load per SIMD
   * lane, so one 32-bit load per two halves reads f16 weights in half the loads (measured about
   * 1.6-2x a matrix-vector product's speed against vec4<f16> loads, BENCHMARKS.md).
   */
  vec4Reads?: readonly string[];
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
    inputBytes: inputs.reduce((bytes, tensor) => bytes + tensor.byteLength, 0),
  });
}

function kernelShader(kernel: KernelDefinition, dtypes: readonly string[]): string {
  const fields = Object.entries(kernel.params).map(([name, type]) => `${name}: ${type}`);
  const vec4Reads = new Set(kernel.vec4Reads ?? []);
  const bindings = [
    ...kernel.inputs.map((name) => ({ name, access: 'read', read: vec4Reads.has(name) })),
    ...kernel.outputs.map((name) => ({ name, access: 'read_write', read: false })),
  ].map((binding, index) => ({ ...binding, dtype: dtypes[index]! }));
  const element = ({ name, dtype, read }: (typeof bindings)[number]) =>
    read ? vec4ReadElement(dtype) : kernel.elementTypes?.[name] ? `vec4<${dtype}>` : dtype;
  // Halves read through an accessor arrive as u32 words and need no f16 arithmetic.
  const usesF16 = bindings.some(({ dtype, read }) => dtype === 'f16' && !read);
  return [
    usesF16 ? 'enable f16;' : '',
    ...(kernel.directives ?? []),
    `struct Params { ${fields.join(', ')} }`,
    '@group(0) @binding(0) var<uniform> params: Params;',
    ...bindings.map(
      (binding, index) =>
        `@group(0) @binding(${index + 1}) var<storage, ${binding.access}> ${binding.name}: ` +
        `array<${element(binding)}>;`,
    ),
    ...bindings.filter(({ read }) => read).map(({ name, dtype }) => vec4Accessor(name, dtype)),
    kernel.main,
  ].join('\n');
}

/** The array element a vec4Reads binding of `dtype` is declared with. */
function vec4ReadElement(dtype: string): string {
  return dtype === 'f16' ? 'vec2<u32>' : `vec4<${dtype}>`;
}

/** `fn <name>Vec4(i: u32) -> vec4f`, the i-th vec4 of a vec4Reads binding. */
function vec4Accessor(name: string, dtype: string): string {
  const body =
    dtype === 'f16'
      ? `let words = ${name}[i]; return vec4f(unpack2x16float(words.x), unpack2x16float(words.y));`
      : `return vec4f(${name}[i]);`;
  return `fn ${name}Vec4(i: u32) -> vec4f { ${body} }`;
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
