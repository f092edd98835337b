import { describe, expect, it } from 'vitest';
import { evaluationBatches, type SplitTokens } from '../../../src/train/data/index.ts';

const tokens = Uint16Array.from({ length: 103 }, (_, index) => (index * 7) % 31);
const SPLITS: SplitTokens = { train: tokens, validation: tokens, test: tokens.subarray(0, 33) };

describe('evaluation batches', () => {
  it('score every target of the split exactly once, in order', () => {
    // 102 targets: 6 full windows of 16 and one last window ending at the stream end with 6 new.
    const batches = [
      ...evaluationBatches(SPLITS, { split: 'validation', sequenceLength: 16, batchSize: 3 }),
    ];
    expect(batches.map(({ rows }) => rows)).toEqual([3, 3, 1]);
    const scored: number[] = [];
    for (const { inputs, targets, mask } of batches) {
      expect(inputs).toBeInstanceOf(Int32Array);
      for (let index = 0; index < targets.length; index++)
        if (mask[index]) scored.push(targets[index]!);
    }
    expect(scored).toEqual([...tokens.slice(1)]);
    const last = batches.at(-1)!;
    expect([...last.inputs]).toEqual([...tokens.slice(102 - 16, 102)]);
    expect([...last.mask]).toEqual([...Array(10).fill(0), ...Array(6).fill(1)]);
  });

  it('need no last window when the targets fill whole windows', () => {
    const batches = [
      ...evaluationBatches(SPLITS, { split: 'test', sequenceLength: 8, batchSize: 8 }),
    ];
    expect(batches).toHaveLength(1);
    expect(batches[0]!.rows).toBe(4);
    expect(batches[0]!.mask.every((value) => value === 1)).toBe(true);
    expect([...batches[0]!.targets]).toEqual([...tokens.slice(1, 33)]);
  });

  it('refuse an unknown split', () => {
    expect(() => [
      ...evaluationBatches(SPLITS, { split: 'heldout', sequenceLength: 8, batchSize: 1 }),
    ]).toThrow('unknown split "heldout"');
  });
});
