import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, checkRank, describeCall } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { grid, perElement } from '../kernel/wgsl.ts';

export interface RopeOptions {
  /** Base of the rotation frequencies (default 10000; Llama 3 uses 500000). */
  theta?: number;
  /** Position of the first row, for decoding after a cache of that many tokens (default 0). */
  positionOffset?: number;
  /**
   * The inverse frequencies [headSize / 2] to rotate by instead of theta's (a scaled RoPE such
   * as Llama 3's); not differentiated.
   */
  inverseFrequencies?: Tensor;
}

interface RopeAttrs {
  theta: number;
  positionOffset: number;
}

/**
 * Hugging Face's rotate-half convention: dimension j < d/2 pairs with j + d/2, rotated by
 * position * theta^(-2j/d). `direction` -1 rotates back, which is the backward pass (a rotation's
 * transpose is its inverse).
 */
function ropeKernel(frequencyFromTable: boolean): KernelDefinition {
  const frequency = frequencyFromTable
    ? 'inverseFrequencies[pair]'
    : 'pow(params.theta, -2.0 * f32(pair) / f32(params.dim))';
  return {
    name: frequencyFromTable ? 'rope (table)' : 'rope',
    params: {
      count: 'u32',
      positions: 'u32',
      dim: 'u32',
      positionOffset: 'u32',
      theta: 'f32',
      direction: 'f32',
    },
    inputs: frequencyFromTable ? ['x', 'inverseFrequencies'] : ['x'],
    outputs: ['y'],
    main: perElement(`
  let half = params.dim / 2u;
  let j = index % params.dim;
  let pair = j % half;
  let position = (index / params.dim) % params.positions + params.positionOffset;
  let frequency = ${frequency};
  let angle = f32(position) * frequency;
  let c = cos(angle);
  let s = sin(angle) * params.direction;
  let rowStart = index - j;
  if (j < half) {
    y[index] = x[index] * c - x[rowStart + j + half] * s;
  } else {
    y[index] = x[index] * c + x[rowStart + pair] * s;
  }`),
  };
}

const KERNELS = { theta: ropeKernel(false), table: ropeKernel(true) };

function encodeRope(
  x: Tensor,
  inverseFrequencies: Tensor | undefined,
  attrs: RopeAttrs,
  direction: number,
  operation: string,
): Tensor {
  const y = allocateTensor(x.engine, operation, x.shape, 'f32');
  runKernel(x.engine, inverseFrequencies ? KERNELS.table : KERNELS.theta, {
    operation,
    inputs: inverseFrequencies ? [x, inverseFrequencies] : [x],
    outputs: [y],
    params: {
      count: x.size,
      positions: x.shape.at(-2)!,
      dim: x.shape.at(-1)!,
      ...attrs,
      direction,
    },
    workgroups: grid(x.size),
  });
  return y;
}

const ropeOp = defineOp<RopeAttrs>({
  name: 'rope',
  forward([x, inverseFrequencies], attrs) {
    const call = describeCall(
      'rope',
      inverseFrequencies ? [x!, inverseFrequencies] : [x!],
      `theta ${attrs.theta}, positionOffset ${attrs.positionOffset}`,
    );
    checkDtype(call, 'x', x!, ['f32']);
    checkRank(call, 'x', x!, 2);
    if (x!.shape.at(-1)! % 2 !== 0) {
      throw new Error(`${call}: the last dimension (head size) must be even`);
    }
    if (!(attrs.theta > 0) || !Number.isInteger(attrs.positionOffset) || attrs.positionOffset < 0) {
      throw new Error(`${call}: theta must be positive and positionOffset a natural number`);
    }
    if (inverseFrequencies) {
      checkDtype(call, 'inverseFrequencies', inverseFrequencies, ['f32']);
      if (
        inverseFrequencies.shape.length !== 1 ||
        inverseFrequencies.size * 2 !== x!.shape.at(-1)
      ) {
        throw new Error(`${call}: inverseFrequencies must be [headSize / 2]`);
      }
    }
    return { output: encodeRope(x!, inverseFrequencies, attrs, 1, call) };
  },
  backward({ inputs: [, inverseFrequencies], gradOutput, attrs }) {
    const operation = describeCall('rope backward', [gradOutput]);
    return [encodeRope(gradOutput, inverseFrequencies, attrs, -1, operation)];
  },
});

/**
 * Rotary position embedding of x [..., positions, headSize]: the second-to-last dimension is the
 * token position (so [batch, heads, positions, headSize] as attention holds it).
 */
export function rope(
  x: Tensor,
  { theta = 10_000, positionOffset = 0, inverseFrequencies }: RopeOptions = {},
): Tensor {
  const inputs = inverseFrequencies ? [x, inverseFrequencies] : [x];
  return applyOp(ropeOp, inputs, { theta, positionOffset });
}
