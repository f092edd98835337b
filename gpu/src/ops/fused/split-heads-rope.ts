/**
 * Fuses splitHeads and rope (a table of inverse frequencies): a projection's rows
 * [batch * positions, heads * headSize] rotated straight into attention's
 * [batch, heads, positions, headSize] in one pass, and back in one pass for the gradient
 * (rotating back, since a rotation's transpose is its inverse).
 * Checked against float64 and those ops in gpu/test/ops/fused/.
 */
import { applyOp } from '../apply.ts';
import { defineOp } from '../registry.ts';
import { checkDtype, describeCall } from '../../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../../kernel/kernel.ts';
import { grid, perElement } from '../../kernel/wgsl.ts';
import { allocateTensor } from '../../tensor/create.ts';
import type { Shape } from '../../tensor/shape.ts';
import type { Tensor } from '../../tensor/tensor.ts';

/**
 * Hugging Face's rotate-half RoPE between the two layouts: `index` walks the output, head-major
 * when `toHeads` is 1 (forward, `direction` 1), token-major when 0 (backward, `direction` -1).
 */
const kernel: KernelDefinition = {
  name: 'splitHeads rope',
  params: {
    count: 'u32',
    heads: 'u32',
    positions: 'u32',
    headSize: 'u32',
    toHeads: 'u32',
    direction: 'f32',
  },
  inputs: ['x', 'inverseFrequencies'],
  outputs: ['y'],
  main: perElement(`
  let half = params.headSize / 2u;
  let j = index % params.headSize;
  let partner = select(j - half, j + half, j < half);
  var t: u32;
  var sourceRow: u32;
  if (params.toHeads == 1u) {
    let headRow = index / params.headSize;
    t = headRow % params.positions;
    let h = headRow / params.positions % params.heads;
    let b = headRow / (params.positions * params.heads);
    sourceRow = (b * params.positions + t) * params.heads * params.headSize + h * params.headSize;
  } else {
    let token = index / (params.heads * params.headSize);
    let h = index / params.headSize % params.heads;
    t = token % params.positions;
    let b = token / params.positions;
    sourceRow = ((b * params.heads + h) * params.positions + t) * params.headSize;
  }
  let angle = f32(t) * inverseFrequencies[j % half];
  let s = sin(angle) * params.direction;
  let rotated = select(x[sourceRow + partner] * s, -x[sourceRow + partner] * s, j < half);
  y[index] = x[sourceRow + j] * cos(angle) + rotated;`),
};

interface SplitRopeAttrs {
  heads: number;
  positions: number;
}

function encode(
  x: Tensor,
  inverseFrequencies: Tensor,
  shape: Shape,
  { heads, positions }: SplitRopeAttrs,
  toHeads: boolean,
  operation: string,
): Tensor {
  const y = allocateTensor(x.engine, operation, shape, 'f32');
  runKernel(x.engine, kernel, {
    operation,
    inputs: [x, inverseFrequencies],
    outputs: [y],
    params: {
      count: y.size,
      heads,
      positions,
      headSize: shape.at(-1)! / (toHeads ? 1 : heads),
      toHeads: toHeads ? 1 : 0,
      direction: toHeads ? 1 : -1,
    },
    workgroups: grid(y.size),
  });
  return y;
}

const splitHeadsRopeOp = defineOp<SplitRopeAttrs>({
  name: 'splitHeadsRope',
  forward([x, inverseFrequencies], attrs) {
    const { heads, positions } = attrs;
    const call = describeCall(
      'splitHeadsRope',
      [x!, inverseFrequencies!],
      `heads ${heads}, positions ${positions}`,
    );
    checkDtype(call, 'x', x!, ['f32']);
    checkDtype(call, 'inverseFrequencies', inverseFrequencies!, ['f32']);
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
    const headSize = width / heads;
    if (headSize % 2 !== 0 || inverseFrequencies!.shape.join() !== `${headSize / 2}`) {
      throw new Error(
        `${call}: the head size must be even and inverseFrequencies [${headSize / 2}] (half of it)`,
      );
    }
    const shape = [tokens / positions, heads, positions, headSize];
    return { output: encode(x!, inverseFrequencies!, shape, attrs, true, call) };
  },
  backward({ inputs: [x, inverseFrequencies], gradOutput, attrs }) {
    const operation = describeCall('splitHeadsRope backward', [gradOutput]);
    return [encode(gradOutput, inverseFrequencies!, x!.shape, attrs, false, operation)];
  },
});

/**
 * rope(splitHeads(x, heads, positions), { inverseFrequencies }) in one pass each way: x
 * [batch * positions, heads * headSize] to [batch, heads, positions, headSize], positions from 0.
 */
export function splitHeadsRope(
  x: Tensor,
  inverseFrequencies: Tensor,
  heads: number,
  positions: number,
): Tensor {
  return applyOp(splitHeadsRopeOp, [x, inverseFrequencies], { heads, positions });
}
