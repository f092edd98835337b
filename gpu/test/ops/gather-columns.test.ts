import { describe } from 'vitest';
import { gatherColumns, type Shape } from '../../src/index.ts';
import { checkOp } from './conformance.ts';

function referenceGather(
  [x, indices]: readonly Float64Array[],
  [shape, indexShape]: readonly Shape[],
) {
  const [rows, columns] = shape as [number, number];
  const k = indexShape![1]!;
  return Float64Array.from({ length: rows * k }, (_, index) => {
    const row = Math.floor(index / k);
    return x![row * columns + indices![index]!]!;
  });
}

describe('gatherColumns', () => {
  checkOp({
    name: 'router logits at the chosen experts',
    op: ([x, indices]) => gatherColumns(x!, indices!),
    reference: referenceGather,
    configs: [
      [{ shape: [1, 1] }, { shape: [1, 1], idsBelow: 1 }],
      [{ shape: [33, 7] }, { shape: [33, 3], idsBelow: 7 }],
      [{ shape: [5, 4] }, { shape: [5, 4], idsBelow: 4 }],
    ],
    // Repeated indices in a row (drawn at random) check that the gradient adds up.
    gradientConfigs: [[{ shape: [6, 5] }, { shape: [6, 3], idsBelow: 5 }]],
    forwardTolerance: 0,
    backwardTolerance: 1e-4,
  });
});
