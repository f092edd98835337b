import { describe, expect, it } from 'vitest';
import {
  createBatchLoader,
  epochOrder,
  type BatchPosition,
  type SplitTokens,
  type TrainingBatch,
} from '../../../src/train/data/index.ts';

/** A stream whose token at i is i mod 50000, so a window's start can be read off its first input. */
function stream(length: number): Uint16Array {
  return Uint16Array.from({ length }, (_, index) => index % 50_000);
}

const SPLITS: SplitTokens = { train: stream(1_001), validation: stream(40), test: stream(40) };
const OPTIONS = { split: 'train', sequenceLength: 16, batchSize: 4, seed: 1234 } as const;

function take(loader: { next(): TrainingBatch }, count: number): TrainingBatch[] {
  return Array.from({ length: count }, () => loader.next());
}

describe('the training batch loader', () => {
  it('yields int32 [batch, seqLen] inputs and the next tokens as targets, from windows at multiples of seqLen', () => {
    const [batch] = take(createBatchLoader(SPLITS, OPTIONS), 1);
    expect(batch!.inputs).toBeInstanceOf(Int32Array);
    expect(batch!.inputs).toHaveLength(4 * 16);
    expect(batch!.targets).toHaveLength(4 * 16);
    for (let row = 0; row < 4; row++) {
      const start = batch!.inputs[row * 16]!;
      expect(start % 16).toBe(0);
      for (let index = 0; index < 16; index++) {
        expect(batch!.inputs[row * 16 + index]).toBe(start + index);
        expect(batch!.targets[row * 16 + index]).toBe(start + index + 1);
      }
    }
  });

  it('visits every window once an epoch, in a new order each epoch', () => {
    const loader = createBatchLoader(SPLITS, { ...OPTIONS, batchSize: 1 });
    expect(loader.windowsPerEpoch).toBe(62); // (1001 - 1) / 16, rounded down
    const starts = (count: number) => take(loader, count).map((batch) => batch.inputs[0]!);
    const first = starts(62);
    const second = starts(62);
    const every = Array.from({ length: 62 }, (_, window) => window * 16);
    expect([...first].sort((a, b) => a - b)).toEqual(every);
    expect([...second].sort((a, b) => a - b)).toEqual(every);
    expect(second).not.toEqual(first);
    expect(loader.position()).toEqual({
      split: 'train',
      sequenceLength: 16,
      seed: 1234,
      epoch: 2,
      cursor: 0,
    });
  });

  it('shuffles with the lab seeded generator, pinned so every machine gets the same order', () => {
    expect([...epochOrder(10, 42, 0)]).toEqual([8, 2, 1, 3, 6, 7, 9, 4, 5, 0]);
    expect([...epochOrder(10, 42, 1)]).toEqual([4, 0, 7, 5, 8, 9, 6, 1, 2, 3]);
    expect([...epochOrder(10, 7, 0)]).toEqual([1, 6, 3, 0, 4, 5, 2, 8, 7, 9]);
  });

  it('gives the same batches for the same seed and other batches for another', () => {
    const again = take(createBatchLoader(SPLITS, OPTIONS), 5);
    expect(again).toEqual(take(createBatchLoader(SPLITS, OPTIONS), 5));
    expect(take(createBatchLoader(SPLITS, { ...OPTIONS, seed: 1235 }), 5)).not.toEqual(again);
  });

  it('continues the exact batch sequence from a saved position, across an epoch boundary', () => {
    const uninterrupted = take(createBatchLoader(SPLITS, OPTIONS), 40);
    for (const stop of [0, 7, 15, 16, 31]) {
      const loader = createBatchLoader(SPLITS, OPTIONS);
      take(loader, stop);
      const saved = JSON.parse(JSON.stringify(loader.position())) as BatchPosition;
      const resumed = createBatchLoader(SPLITS, { ...OPTIONS, resumeFrom: saved });
      expect(take(resumed, 40 - stop), `stopped after ${stop}`).toEqual(uninterrupted.slice(stop));
    }
  });

  it('refuses bad options and positions saved with other settings, naming them', () => {
    expect(() => createBatchLoader(SPLITS, { ...OPTIONS, split: 'dev' })).toThrow(
      'unknown split "dev" (expected train, validation, test)',
    );
    expect(() =>
      createBatchLoader(SPLITS, { ...OPTIONS, split: 'test', sequenceLength: 40 }),
    ).toThrow(
      'the test split has 40 tokens, fewer than one window of sequenceLength 40 needs (41): use a shorter sequenceLength',
    );
    expect(() => createBatchLoader(SPLITS, { ...OPTIONS, batchSize: 0 })).toThrow(
      'batchSize must be a positive integer, not 0',
    );
    expect(() => createBatchLoader(SPLITS, { ...OPTIONS, seed: -1 })).toThrow(
      /seed must be an integer/,
    );
    const position = { ...OPTIONS, epoch: 0, cursor: 3 } as BatchPosition;
    expect(() => createBatchLoader(SPLITS, { ...OPTIONS, seed: 99, resumeFrom: position })).toThrow(
      'the saved batch position is for seed 1234, not 99: resume with the settings it was saved with',
    );
    expect(() =>
      createBatchLoader(SPLITS, { ...OPTIONS, resumeFrom: { ...position, cursor: 62 } }),
    ).toThrow("the saved batch position's cursor 62 is outside the epoch's 62 windows");
  });
});
