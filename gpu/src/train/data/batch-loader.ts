import { seededRandom } from '../../util/random.ts';
import { checkPositiveInteger, fillRow, splitTokens, type SplitTokens } from './batch-options.ts';
import type { SplitName } from './split.ts';

/**
 * Where a batch loader stands: plain JSON, for a checkpoint. The next window is the `cursor`-th
 * of epoch `epoch`'s order.
 */
export interface BatchPosition {
  readonly split: SplitName;
  readonly sequenceLength: number;
  readonly seed: number;
  readonly epoch: number;
  readonly cursor: number;
}

export interface TrainingBatch {
  readonly batchSize: number;
  readonly sequenceLength: number;
  /** [batchSize, sequenceLength], row-major. */
  readonly inputs: Int32Array;
  /** The inputs shifted by one token: targets[r][i] follows inputs[r][i] in the stream. */
  readonly targets: Int32Array;
}

export interface BatchLoaderOptions {
  readonly split: string;
  readonly sequenceLength: number;
  readonly batchSize: number;
  /** An unsigned 32-bit integer. */
  readonly seed: number;
  /** A position saved by position(): the loader continues from it. */
  readonly resumeFrom?: BatchPosition;
}

export interface BatchLoader {
  /** The number of windows an epoch visits (each once). */
  readonly windowsPerEpoch: number;
  /** The next batch; an epoch that ends inside a batch continues into the next one. */
  next(): TrainingBatch;
  /** The position of the next batch. */
  position(): BatchPosition;
}

/** The generator seed of an epoch's order: the seed and the epoch mixed, both as uint32. */
function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b)) >>> 0;
}

/** An epoch's window order: a Fisher-Yates shuffle driven by the lab's seeded generator. */
export function epochOrder(windows: number, seed: number, epoch: number): Uint32Array {
  const order = new Uint32Array(windows);
  for (let index = 0; index < windows; index++) order[index] = index;
  const random = seededRandom(epochSeed(seed, epoch));
  for (let index = windows - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  return order;
}

function checkResumePosition(
  position: BatchPosition,
  expected: Omit<BatchPosition, 'epoch' | 'cursor'>,
  windows: number,
): void {
  for (const key of ['split', 'sequenceLength', 'seed'] as const)
    if (position[key] !== expected[key])
      throw new Error(
        `the saved batch position is for ${key} ${JSON.stringify(position[key])}, not ${JSON.stringify(expected[key])}: resume with the settings it was saved with`,
      );
  if (!Number.isInteger(position.epoch) || position.epoch < 0)
    throw new RangeError(
      `the saved batch position's epoch ${position.epoch} is not a non-negative integer`,
    );
  if (!Number.isInteger(position.cursor) || position.cursor < 0 || position.cursor >= windows)
    throw new RangeError(
      `the saved batch position's cursor ${position.cursor} is outside the epoch's ${windows} windows`,
    );
}

/**
 * Training batches from one split: the stream cut into non-overlapping windows of
 * sequenceLength + 1 tokens at multiples of sequenceLength, visited in a seeded order that is
 * shuffled afresh each epoch. Same split, sequenceLength, seed and position: same batches.
 */
export function createBatchLoader(splits: SplitTokens, options: BatchLoaderOptions): BatchLoader {
  const { sequenceLength, batchSize, seed } = options;
  const { split, tokens } = splitTokens(splits, options.split, sequenceLength);
  checkPositiveInteger('batchSize', batchSize);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new RangeError(`seed must be an integer from 0 to 2^32 - 1, not ${seed}`);
  const windowsPerEpoch = Math.floor((tokens.length - 1) / sequenceLength);
  const start = options.resumeFrom ?? { split, sequenceLength, seed, epoch: 0, cursor: 0 };
  checkResumePosition(start, { split, sequenceLength, seed }, windowsPerEpoch);

  let epoch = start.epoch;
  let cursor = start.cursor;
  let order = epochOrder(windowsPerEpoch, seed, epoch);
  return {
    windowsPerEpoch,
    next() {
      const inputs = new Int32Array(batchSize * sequenceLength);
      const targets = new Int32Array(batchSize * sequenceLength);
      for (let row = 0; row < batchSize; row++) {
        if (cursor === windowsPerEpoch) {
          epoch++;
          cursor = 0;
          order = epochOrder(windowsPerEpoch, seed, epoch);
        }
        fillRow(tokens, order[cursor++]! * sequenceLength, row, sequenceLength, inputs, targets);
      }
      return { batchSize, sequenceLength, inputs, targets };
    },
    position() {
      // A finished epoch is stated as the next one's start, so a saved cursor is always in range.
      return cursor === windowsPerEpoch
        ? { split, sequenceLength, seed, epoch: epoch + 1, cursor: 0 }
        : { split, sequenceLength, seed, epoch, cursor };
    },
  };
}
