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
import { grid, perRow } from '../../kernel/wgsl.ts';
import { HEAD_ROW_OFFSETS_WGSL } from '../heads.ts';
import { allocateTensor } from '../../tensor/create.ts';
import type { Shape } from '../../tensor/shape.ts';
import type { Tensor } from '../../tensor/tensor.ts';

/**
 * Hugging Face's rotate-half RoPE between the two layouts: token-major to head-major when
 * `toHeads` is 1 (forward, `direction` 1), back when 0 (backward, `direction` -1). One workgroup
 * per (b, t, h), its lanes over the head: the index arithmetic is the workgroup's, once (integer
 * division is lane by lane on CPU adapters).
 */
const kernel: KernelDefinition = {
  name: 'splitHeads rope',
  params: {
    rows: 'u32',
    heads: 'u32',
    positions: 'u32',
    headSize: 'u32',
    toHeads: 'u32',
    direction: 'f32',
  },
  inputs: ['x', 'inverseFrequencies'],
  outputs: ['y'],
  main: perRow(`
${HEAD_ROW_OFFSETS_WGSL}
  let source = select(headMajor, tokenMajor, params.toHeads == 1u);
  let destination = select(tokenMajor, headMajor, params.toHeads == 1u);
  let half = params.headSize / 2u;
  for (var j = lane; j < params.headSize; j += LANES) {
    let low = j < half;
    let partner = select(j - half, j + half, low);
    let angle = f32(t) * inverseFrequencies[select(j - half, j, low)];
    let sine = sin(angle) * params.direction;
    let rotated = x[source + partner] * sine;
    y[destination + j] = x[source + j] * cos(angle) + select(rotated, -rotated, low);
  }`),
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
  const headSize = shape.at(-1)! / (toHeads ? 1 : heads);
  runKernel(x.engine, kernel, {
    operation,
    inputs: [x, inverseFrequencies],
    outputs: [y],
    params: {
      rows: y.size / headSize,
      heads,
      positions,
      headSize,
      toHeads: toHeads ? 1 : 0,
      direction: toHeads ? 1 : -1,
    },
    workgroups: grid(y.size / headSize, 1),
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
