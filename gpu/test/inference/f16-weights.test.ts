import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, LlamaModel, packTokens, type Gpu } from '../../src/index.ts';
import { halfStorage } from '../../src/inference/weight-precision.ts';
import { useTemporaryFolders } from '../model/files.ts';
import { FIXTURE_VARIANTS, fixtureTokens, writeFixtureCheckpoint } from '../reference/fixtures.ts';
import { loadReferenceWeights, referenceLogits } from '../reference/llama-f64.ts';
import { roundToF16 } from '../reference/safetensors-f64.ts';

const temporaryFolder = useTemporaryFolders();
let gpu: Gpu;

beforeAll(async () => {
  gpu = await acquireGpu();
});

/** The checkpoint's weights with every matrix (not norms or biases) rounded to half. */
function withHalfMatrices(weights: Map<string, Float64Array>): Map<string, Float64Array> {
  return new Map(
    [...weights].map(([name, values]) => [
      name,
      name.endsWith('.weight') && !name.includes('norm') ? values.map(roundToF16) : values,
    ]),
  );
}

function largestDifference(actual: Float32Array, expected: Float64Array[]): number {
  const vocabulary = expected[0]!.length;
  let largest = 0;
  expected.forEach((row, position) =>
    row.forEach((value, column) => {
      largest = Math.max(largest, Math.abs(actual[position * vocabulary + column]! - value));
    }),
  );
  return largest;
}

// As the f32 forward pass's tolerance against float64 (llama-logits.test.ts): the f16 path sums in
// f32 too, so once the reference's matrices are rounded alike the two agree as closely.
const TOLERANCE = 5e-5;

describe('weights f16: f32 checkpoints with their matrices rounded to half', () => {
  it.each([
    ['auto', true, 'stored'],
    ['auto', false, 'none'],
    ['f32', true, 'none'],
    ['f16', true, 'all'],
  ] as const)('%s on a device with shader-f16 %s keeps %s in f16', (weights, hasHalf, half) => {
    expect(halfStorage(weights, hasHalf, 'an adapter')).toBe(half);
  });

  it('is refused, naming the adapter and the fix, where the device cannot compute f16', () => {
    expect(() => halfStorage('f16', false, 'SwiftShader')).toThrow(
      'weights f16: this adapter (SwiftShader) cannot compute with f16 (no shader-f16); use auto or f32',
    );
  });

  it.each(['cpu', 'gpu'] as const)(
    'gives the float64 logits of the rounded matrices (%s kernels)',
    async (kernelTarget) => {
      const directory = join(await temporaryFolder(), 'model');
      const config = await writeFixtureCheckpoint(directory, FIXTURE_VARIANTS[0]!.options);
      const weights = await loadReferenceWeights(directory);
      const ids = fixtureTokens(config.vocab_size, 11, 5);
      const model = await LlamaModel.open(gpu, directory, { kernelTarget, weights: 'f16' });
      try {
        expect(model.matrixElementBytes).toBe(2);
        const cache = model.createCache(1, ids.length);
        const logits = await model
          .forward(packTokens([{ slot: 0, start: 0, ids }]), cache, 'all')
          .read();
        const rounded = referenceLogits(config, withHalfMatrices(weights), ids);
        expect(largestDifference(logits, rounded)).toBeLessThan(TOLERANCE);
        // The rounding is real: the unrounded model's logits are further away than that.
        const exact = referenceLogits(config, weights, ids);
        expect(largestDifference(logits, exact)).toBeGreaterThan(4 * TOLERANCE);
      } finally {
        model.dispose();
      }
    },
  );
});
