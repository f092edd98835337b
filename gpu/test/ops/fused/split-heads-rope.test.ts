import { describe, it } from 'vitest';
import {
  acquireGpu,
  rope,
  splitHeads,
  tensor,
  type Shape,
  type Tensor,
} from '../../../src/index.ts';
import { splitHeadsRope } from '../../../src/ops/fused/split-heads-rope.ts';
import { checkOp, inputValues } from '../conformance.ts';
import { expectClose, gpuGradients, randomValues, upload } from '../helpers.ts';

/** Llama 3 style frequencies would do as well: any table is rotated by as given. */
function frequencyValues(headSize: number): Float32Array {
  return Float32Array.from({ length: headSize / 2 }, (_, j) => 500_000 ** ((-2 * j) / headSize));
}

const frequencyTables = new Map<number, Tensor>();
function frequenciesFor(x: Tensor, headSize: number): Tensor {
  let table = frequencyTables.get(headSize);
  if (!table) {
    table = tensor(x.engine.gpu, frequencyValues(headSize), [headSize / 2]);
    frequencyTables.set(headSize, table);
  }
  return table;
}

/** x [batch * positions, heads * headSize] split into heads and rotated, in float64. */
function reference(heads: number, positions: number) {
  return ([x]: readonly Float64Array[], [shape]: readonly Shape[]): Float64Array => {
    const [tokens, width] = shape as [number, number];
    const headSize = width / heads;
    const half = headSize / 2;
    const frequencies = frequencyValues(headSize);
    const y = new Float64Array(x!.length);
    for (let token = 0; token < tokens; token++) {
      const [b, t] = [Math.floor(token / positions), token % positions];
      for (let h = 0; h < heads; h++) {
        const at = (j: number) => x![token * width + h * headSize + j]!;
        for (let j = 0; j < headSize; j++) {
          const angle = t * frequencies[j % half]!;
          const rotated = j < half ? -at(j + half) : at(j - half);
          y[((b * heads + h) * positions + t) * headSize + j] =
            at(j) * Math.cos(angle) + rotated * Math.sin(angle);
        }
      }
    }
    return y;
  };
}

const cases: [number, number, Shape][] = [
  [1, 1, [1, 2]],
  [3, 5, [10, 3 * 6]],
  [2, 33, [66, 2 * 64]],
  // Heads wider than a workgroup's 64 lanes: each lane rotates more than one pair.
  [3, 7, [14, 3 * 74]],
];

describe('splitHeadsRope (splitHeads and rope in one pass each way)', () => {
  for (const [heads, positions, shape] of cases) {
    checkOp({
      name: `${heads} heads, ${positions} positions, against float64`,
      op: ([x]) => splitHeadsRope(x!, frequenciesFor(x!, x!.shape[1]! / heads), heads, positions),
      reference: reference(heads, positions),
      configs: [[{ shape }]],
      gradientConfigs: [[{ shape: [positions, heads * 2] }]],
      forwardTolerance: 1e-5,
      backwardTolerance: 1e-4,
    });
  }

  it('equals rope(splitHeads(x)) forward and backward at a training shape', async () => {
    const gpu = await acquireGpu();
    const [heads, positions, shape] = [4, 37, [74, 4 * 64]] as const;
    const [values] = inputValues([{ shape: [...shape] }], 3);
    const x = upload(gpu, values!, [...shape]);
    const frequencies = tensor(gpu, frequencyValues(64), [32]);
    const composedOf = (input: Tensor) =>
      rope(splitHeads(input, heads, positions), { inverseFrequencies: frequencies });
    const [fused, composed] = [splitHeadsRope(x, frequencies, heads, positions), composedOf(x)];
    expectClose(await fused.read(), await composed.read(), 1e-6);
    const weights = randomValues(fused.size, 7);
    for (const used of [x, fused, composed]) used.dispose();
    const inputs = [{ values: values!, shape: [...shape] }];
    const [fusedGrads, composedGrads] = await Promise.all([
      gpuGradients(
        ([input]) => splitHeadsRope(input!, frequencies, heads, positions),
        inputs,
        weights,
      ),
      gpuGradients(([input]) => composedOf(input!), inputs, weights),
    ]);
    expectClose(fusedGrads[0]!, composedGrads[0]!, 1e-6);
    frequencies.dispose();
  });
});
