import { describe } from 'vitest';
import { rope, tensor, type Shape } from '../../src/index.ts';
import { checkOp } from './conformance.ts';

/** Hugging Face's apply_rotary_pos_emb with rotate_half, positions along dimension -2. */
function referenceRope(
  theta: number,
  positionOffset: number,
  inverseFrequency = (pair: number, dim: number) => theta ** ((-2 * pair) / dim),
) {
  return ([x]: readonly Float64Array[], [shape]: readonly Shape[]) => {
    const dim = shape!.at(-1)!;
    const positions = shape!.at(-2)!;
    const half = dim / 2;
    const y = new Float64Array(x!.length);
    for (let start = 0; start < x!.length; start += dim) {
      const position = ((start / dim) % positions) + positionOffset;
      for (let j = 0; j < dim; j++) {
        const angle = position * inverseFrequency(j % half, dim);
        const rotated = j < half ? -x![start + j + half]! : x![start + j - half]!;
        y[start + j] = x![start + j]! * Math.cos(angle) + rotated * Math.sin(angle);
      }
    }
    return y;
  };
}

describe('rope', () => {
  for (const [theta, positionOffset] of [
    [10_000, 0],
    [500_000, 7],
  ] as const) {
    checkOp({
      name: `theta ${theta}, position offset ${positionOffset}`,
      op: ([x]) => rope(x!, { theta, positionOffset }),
      reference: referenceRope(theta, positionOffset),
      configs: [
        [{ shape: [1, 2] }],
        [{ shape: [2, 3, 33, 8] }],
        [{ shape: [250, 64] }],
        [{ shape: [7, 2] }],
      ],
      gradientConfigs: [[{ shape: [1, 2] }], [{ shape: [2, 7, 6] }], [{ shape: [33, 4] }]],
      // Angles up to 257 rad in f32 carry about 2e-5 of rounding.
      forwardTolerance: 1e-4,
      backwardTolerance: 1e-4,
    });
  }
});

describe('rope with a table of inverse frequencies', () => {
  // Unrelated to any theta, so a kernel that ignored the table would fail.
  const frequency = (pair: number) => Math.fround(0.9 / (pair + 1.5));
  checkOp({
    name: 'scaled frequencies',
    op: ([x]) => {
      const half = x!.shape.at(-1)! / 2;
      const table = Float32Array.from({ length: half }, (_, pair) => frequency(pair));
      return rope(x!, {
        inverseFrequencies: tensor(x!.engine.gpu, table, [half]),
        positionOffset: 3,
      });
    },
    reference: referenceRope(10_000, 3, frequency),
    configs: [[{ shape: [1, 2] }], [{ shape: [2, 3, 33, 8] }]],
    gradientConfigs: [[{ shape: [2, 7, 6] }]],
    forwardTolerance: 1e-4,
    backwardTolerance: 1e-4,
  });
});
