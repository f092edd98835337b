import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { Shape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, describeCall } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { grid, perElement } from '../kernel/wgsl.ts';

/**
 * Swaps the positions and heads axes: y[b, h, t, d] = x[b, t, h, d] when `toHeads` is 1, the
 * reverse when 0. `index` walks the output, so both directions write each element once.
 */
const swapKernel: KernelDefinition = {
  name: 'swapHeadsAndPositions',
  params: { count: 'u32', heads: 'u32', positions: 'u32', headSize: 'u32', toHeads: 'u32' },
  inputs: ['x'],
  outputs: ['y'],
  main: perElement(`
  let d = index % params.headSize;
  let perBatch = params.heads * params.positions * params.headSize;
  let b = index / perBatch;
  let inner = index % perBatch / params.headSize;
  var h: u32;
  var t: u32;
  if (params.toHeads == 1u) {
    h = inner / params.positions;
    t = inner % params.positions;
    y[index] = x[((b * params.positions + t) * params.heads + h) * params.headSize + d];
  } else {
    t = inner / params.heads;
    h = inner % params.heads;
    y[index] = x[((b * params.heads + h) * params.positions + t) * params.headSize + d];
  }`),
};

interface Layout {
  batch: number;
  heads: number;
  positions: number;
  headSize: number;
}

function swap(x: Tensor, layout: Layout, toHeads: boolean, operation: string): Tensor {
  const { batch, heads, positions, headSize } = layout;
  const shape: Shape = toHeads
    ? [batch, heads, positions, headSize]
    : [batch * positions, heads * headSize];
  const y = allocateTensor(x.engine, operation, shape, 'f32');
  runKernel(x.engine, swapKernel, {
    operation,
    inputs: [x],
    outputs: [y],
    params: { count: y.size, heads, positions, headSize, toHeads: toHeads ? 1 : 0 },
    workgroups: grid(y.size),
  });
  return y;
}

interface SplitAttrs {
  heads: number;
  positions: number;
}

const splitHeadsOp = defineOp<SplitAttrs>({
  name: 'splitHeads',
  forward([x], { heads, positions }) {
    const call = describeCall('splitHeads', [x!], `heads ${heads}, positions ${positions}`);
    checkDtype(call, 'x', x!, ['f32']);
    const [tokens, width] = x!.shape as [number, number];
    const positive = (value: number) => Number.isInteger(value) && value > 0;
    if (
      x!.shape.length !== 2 ||
      !positive(heads) ||
      !positive(positions) ||
      width % heads !== 0 ||
      tokens % positions !== 0
    ) {
      throw new Error(
        `${call}: x must be [batch * positions, heads * headSize], heads and positions positive integers dividing its dimensions`,
      );
    }
    const layout = { batch: tokens / positions, heads, positions, headSize: width / heads };
    return { output: swap(x!, layout, true, call) };
  },
  backward({ output, gradOutput }) {
    const [batch, heads, positions, headSize] = output.shape as [number, number, number, number];
    const operation = describeCall('splitHeads backward', [gradOutput]);
    return [swap(gradOutput, { batch, heads, positions, headSize }, false, operation)];
  },
});

const mergeHeadsOp = defineOp({
  name: 'mergeHeads',
  forward([x]) {
    const call = describeCall('mergeHeads', [x!]);
    checkDtype(call, 'x', x!, ['f32']);
    if (x!.shape.length !== 4) {
      throw new Error(`${call}: x must be [batch, heads, positions, headSize]`);
    }
    const [batch, heads, positions, headSize] = x!.shape as [number, number, number, number];
    return { output: swap(x!, { batch, heads, positions, headSize }, false, call) };
  },
  backward({ inputs: [x], gradOutput }) {
    const [batch, heads, positions, headSize] = x!.shape as [number, number, number, number];
    const operation = describeCall('mergeHeads backward', [gradOutput]);
    return [swap(gradOutput, { batch, heads, positions, headSize }, true, operation)];
  },
});

/**
 * x [batch * positions, heads * headSize], a projection's rows for whole sequences, as attention
 * holds it: [batch, heads, positions, headSize].
 */
export function splitHeads(x: Tensor, heads: number, positions: number): Tensor {
  return applyOp(splitHeadsOp, [x], { heads, positions });
}

/** The inverse of splitHeads: [batch, heads, positions, headSize] to [batch * positions, width]. */
export function mergeHeads(x: Tensor): Tensor {
  return applyOp(mergeHeadsOp, [x], undefined);
}
