import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { Shape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, describeCall } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { grid, perRow } from '../kernel/wgsl.ts';

/**
 * For a `perRow` kernel whose rows are (b, t, h) in token-major order: where that head's
 * headSize values start in the token-major [batch * positions, heads * headSize] layout
 * (`tokenMajor`) and in the head-major [batch, heads, positions, headSize] one (`headMajor`),
 * and the row's position `t`.
 */
export const HEAD_ROW_OFFSETS_WGSL = /* wgsl */ `
  let h = row % params.heads;
  let token = row / params.heads;
  let t = token % params.positions;
  let b = token / params.positions;
  let tokenMajor = row * params.headSize;
  let headMajor = ((b * params.heads + h) * params.positions + t) * params.headSize;`;

/**
 * Swaps the positions and heads axes: y[b, h, t, d] = x[b, t, h, d] when `toHeads` is 1, the
 * reverse when 0. One workgroup per (b, t, h), its lanes over d: the index arithmetic is the
 * workgroup's, once, not each element's (integer division is lane by lane on CPU adapters).
 */
const swapKernel: KernelDefinition = {
  name: 'swapHeadsAndPositions',
  params: { rows: 'u32', heads: 'u32', positions: 'u32', headSize: 'u32', toHeads: 'u32' },
  inputs: ['x'],
  outputs: ['y'],
  main: perRow(`
${HEAD_ROW_OFFSETS_WGSL}
  let source = select(headMajor, tokenMajor, params.toHeads == 1u);
  let destination = select(tokenMajor, headMajor, params.toHeads == 1u);
  for (var d = lane; d < params.headSize; d += LANES) { y[destination + d] = x[source + d]; }`),
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
    params: { rows: y.size / headSize, heads, positions, headSize, toHeads: toHeads ? 1 : 0 },
    workgroups: grid(y.size / headSize, 1),
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
