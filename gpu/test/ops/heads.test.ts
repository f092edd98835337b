import { describe } from 'vitest';
import { mergeHeads, splitHeads, type Shape } from '../../src/index.ts';
import { checkOp } from './conformance.ts';

/** y[b, h, t, d] = x[b, t, h, d], written out index by index. */
function referenceSplit(heads: number, positions: number) {
  return ([x]: readonly Float64Array[], [shape]: readonly Shape[]) => {
    const [tokens, width] = shape as [number, number];
    const batch = tokens / positions;
    const headSize = width / heads;
    const y = new Float64Array(x!.length);
    for (let b = 0; b < batch; b++)
      for (let h = 0; h < heads; h++)
        for (let t = 0; t < positions; t++)
          for (let d = 0; d < headSize; d++)
            y[((b * heads + h) * positions + t) * headSize + d] =
              x![(b * positions + t) * width + h * headSize + d]!;
    return y;
  };
}

function referenceMerge([x]: readonly Float64Array[], [shape]: readonly Shape[]) {
  const [batch, heads, positions, headSize] = shape as [number, number, number, number];
  const y = new Float64Array(x!.length);
  for (let b = 0; b < batch; b++)
    for (let t = 0; t < positions; t++)
      for (let h = 0; h < heads; h++)
        for (let d = 0; d < headSize; d++)
          y[((b * positions + t) * heads + h) * headSize + d] =
            x![((b * heads + h) * positions + t) * headSize + d]!;
  return y;
}

describe('splitHeads', () => {
  for (const [heads, positions, batch] of [
    [1, 1, 1],
    [3, 33, 2],
    [2, 5, 3],
  ] as const) {
    checkOp({
      name: `${batch} sequence(s) of ${positions}, ${heads} head(s)`,
      op: ([x]) => splitHeads(x!, heads, positions),
      reference: referenceSplit(heads, positions),
      configs: [
        [{ shape: [batch * positions, heads * 2] }],
        [{ shape: [batch * positions, heads * 6] }],
        // Wider than a workgroup's 64 lanes.
        [{ shape: [batch * positions, heads * 70] }],
      ],
      gradientConfigs: [[{ shape: [batch * positions, heads * 4] }]],
      forwardTolerance: 0,
      backwardTolerance: 1e-4,
    });
  }
});

describe('mergeHeads', () => {
  checkOp({
    name: 'heads back to positions',
    op: ([x]) => mergeHeads(x!),
    reference: referenceMerge,
    configs: [[{ shape: [1, 1, 1, 2] }], [{ shape: [2, 3, 33, 6] }]],
    gradientConfigs: [[{ shape: [2, 3, 5, 4] }]],
    forwardTolerance: 0,
    backwardTolerance: 1e-4,
  });
});
