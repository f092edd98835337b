import { describe, expect, it } from 'vitest';
import {
  crossEntropy,
  embedding,
  klDivergence,
  mean,
  sum,
  tensor,
  tokenCrossEntropy,
  type Shape,
} from '../../src/index.ts';
import { checkOp, inputValues } from './conformance.ts';
import { acquireGpu, expectClose, upload } from './helpers.ts';

const product = (dims: Shape) => dims.reduce((total, dim) => total * dim, 1);

function referenceTokenLosses(
  [logits, targets]: readonly Float64Array[],
  [shape]: readonly Shape[],
): Float64Array {
  const vocabulary = shape!.at(-1)!;
  return Float64Array.from({ length: logits!.length / vocabulary }, (_, token) => {
    const row = logits!.subarray(token * vocabulary, (token + 1) * vocabulary);
    const max = Math.max(...row);
    const logSumExp = max + Math.log(row.reduce((sum, value) => sum + Math.exp(value - max), 0));
    return logSumExp - row[targets![token]!]!;
  });
}

function referenceCrossEntropy(inputs: readonly Float64Array[], shapes: readonly Shape[]) {
  const losses = referenceTokenLosses(inputs, shapes);
  return Float64Array.of(losses.reduce((total, loss) => total + loss, 0) / losses.length);
}

/** T^2 * mean over rows of KL(softmax(p / T) || softmax(q / T)). */
function referenceKl(temperature: number) {
  return ([p, q]: readonly Float64Array[], [shape]: readonly Shape[]) => {
    const columns = shape!.at(-1)!;
    const rows = p!.length / columns;
    const logSoftmax = (row: Float64Array) => {
      const scaled = [...row].map((value) => value / temperature);
      const max = Math.max(...scaled);
      const total = max + Math.log(scaled.reduce((sum, value) => sum + Math.exp(value - max), 0));
      return scaled.map((value) => value - total);
    };
    let total = 0;
    for (let row = 0; row < rows; row++) {
      const logP = logSoftmax(p!.subarray(row * columns, (row + 1) * columns));
      const logQ = logSoftmax(q!.subarray(row * columns, (row + 1) * columns));
      total += logP.reduce(
        (sum, value, index) => sum + Math.exp(value) * (value - logQ[index]!),
        0,
      );
    }
    return Float64Array.of((temperature ** 2 * total) / rows);
  };
}

/** Sums over `axis` (all axes when undefined), times `factor(reduced count)`. */
function referenceReduce(axis: number | undefined, average: boolean) {
  return ([x]: readonly Float64Array[], [shape]: readonly Shape[]) => {
    const dim = axis === undefined ? undefined : axis < 0 ? shape!.length + axis : axis;
    const outer = dim === undefined ? 1 : product(shape!.slice(0, dim));
    const reduce = dim === undefined ? x!.length : shape![dim]!;
    const inner = dim === undefined ? 1 : product(shape!.slice(dim + 1));
    const output = new Float64Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let total = 0;
        for (let r = 0; r < reduce; r++) total += x![(o * reduce + r) * inner + i]!;
        output[o * inner + i] = average ? total / reduce : total;
      }
    }
    return output;
  };
}

describe('losses, gathers and reductions', () => {
  checkOp({
    name: 'crossEntropy',
    op: ([logits, targets]) => crossEntropy(logits!, targets!),
    reference: referenceCrossEntropy,
    configs: [
      [{ shape: [1, 1] }, { shape: [1], idsBelow: 1 }],
      [
        { shape: [7, 250], low: -8, high: 8 },
        { shape: [7], idsBelow: 250 },
      ],
      [{ shape: [2, 33, 33] }, { shape: [2, 33], idsBelow: 33 }],
      [{ shape: [250, 7] }, { shape: [250], idsBelow: 7 }],
    ],
    gradientConfigs: [
      [{ shape: [1, 1] }, { shape: [1], idsBelow: 1 }],
      [{ shape: [7, 33] }, { shape: [7], idsBelow: 33 }],
      [{ shape: [2, 3, 5] }, { shape: [2, 3], idsBelow: 5 }],
    ],
    forwardTolerance: 1e-5,
    backwardTolerance: 1e-5,
  });

  for (const temperature of [1, 2.5]) {
    checkOp({
      name: `klDivergence at temperature ${temperature}`,
      op: ([p, q]) => klDivergence(p!, q!, { temperature }),
      reference: referenceKl(temperature),
      configs: [
        [{ shape: [1, 1] }, { shape: [1, 1] }],
        [{ shape: [7, 250] }, { shape: [7, 250] }],
        [{ shape: [2, 33, 4] }, { shape: [2, 33, 4] }],
      ],
      gradientConfigs: [
        [{ shape: [1, 1] }, { shape: [1, 1] }],
        [{ shape: [7, 33] }, { shape: [7, 33] }],
        [{ shape: [2, 3, 4] }, { shape: [2, 3, 4] }],
      ],
      forwardTolerance: 1e-5,
      backwardTolerance: 1e-5,
    });
  }

  checkOp({
    name: 'embedding',
    op: ([weight, ids]) => embedding(weight!, ids!),
    reference: ([weight, ids], [shape]) => {
      const columns = shape!.at(-1)!;
      return Float64Array.from({ length: ids!.length * columns }, (_, index) => {
        const id = ids![Math.floor(index / columns)]!;
        return weight![id * columns + (index % columns)]!;
      });
    },
    configs: [
      [{ shape: [1, 1] }, { shape: [1], idsBelow: 1 }],
      [{ shape: [250, 33] }, { shape: [7], idsBelow: 250 }],
      [{ shape: [7, 64] }, { shape: [3, 33], idsBelow: 7 }],
    ],
    gradientConfigs: [
      [{ shape: [1, 1] }, { shape: [1], idsBelow: 1 }],
      // More tokens than rows: repeated ids must accumulate.
      [{ shape: [5, 7] }, { shape: [33], idsBelow: 5 }],
      [{ shape: [33, 3] }, { shape: [2, 7], idsBelow: 33 }],
    ],
    forwardTolerance: 0,
    backwardTolerance: 1e-5,
  });

  const SHAPES = [[1], [7, 33], [250, 3], [2, 33, 7]];
  for (const [name, reduce, average] of [
    ['sum', sum, false],
    ['mean', mean, true],
  ] as const) {
    for (const axis of [undefined, 0, -1]) {
      checkOp({
        name: `${name} over ${axis === undefined ? 'everything' : `axis ${axis}`}`,
        op: ([x]) => reduce(x!, { axis }),
        reference: referenceReduce(axis, average),
        configs: SHAPES.map((shape) => [{ shape }]),
        gradientConfigs: SHAPES.slice(0, 3).map((shape) => [{ shape }]),
        // Sums of up to 500 f32 values of size about 1.
        forwardTolerance: 1e-5,
        backwardTolerance: 1e-5,
      });
    }
  }

  it('tokenCrossEntropy gives each token its own loss', async () => {
    const gpu = await acquireGpu();
    const specs = [{ shape: [2, 7, 33] }, { shape: [2, 7], idsBelow: 33 }];
    const [logits, targets] = inputValues(specs, 5);
    const shapes = [
      [2, 7, 33],
      [2, 7],
    ];
    const logitsTensor = upload(gpu, logits!, shapes[0]!);
    const targetsTensor = tensor(gpu, Int32Array.from(targets!), shapes[1]!);
    const losses = tokenCrossEntropy(logitsTensor, targetsTensor);
    expect(losses.shape).toEqual([14]);
    expectClose(await losses.read(), referenceTokenLosses([logits!, targets!], shapes), 1e-5);
    for (const input of [logitsTensor, targetsTensor, losses]) input.dispose();
  });
});
