import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { achievedGbS, decodeTraffic } from '../../src/eval/decode-traffic.ts';
import { Checkpoint } from '../../src/model/checkpoint.ts';
import { useTemporaryFolders } from '../model/files.ts';
import { FIXTURE_VARIANTS, writeFixtureCheckpoint } from '../reference/fixtures.ts';

const temporaryFolder = useTemporaryFolders();
const F32 = 4;

interface Shape {
  matrixElementBytes: number;
  batch: number;
  promptLength: number;
  generateLength: number;
  experts?: { count: number; topK: number };
}

/**
 * What a decode step reads, counted from the checkpoint's own tensors: every layer matrix once
 * (the FFN's at the share the chosen experts hold, plus a router), the norms, the LM head (the
 * embedding when tied), one embedding row per sequence, and each step's cache, averaged over the
 * steps one by one. Biases are left out, as decodeTraffic leaves them out.
 */
function countedStepBytes(checkpoint: Checkpoint, shape: Shape): number {
  const config = checkpoint.config;
  const ffnShare = shape.experts
    ? Math.min(1, (shape.batch * shape.experts.topK) / shape.experts.count)
    : 1;
  let bytes = 0;
  for (const name of checkpoint.tensorNames) {
    const dims = checkpoint.info(name).shape;
    const size = dims.reduce((product, dim) => product * dim, 1);
    if (name.endsWith('.bias') || name === 'model.embed_tokens.weight') continue;
    if (dims.length === 1) bytes += size * F32;
    else bytes += size * shape.matrixElementBytes * (name.includes('.mlp.') ? ffnShare : 1);
  }
  if (!checkpoint.has('lm_head.weight'))
    bytes += config.vocab_size * config.hidden_size * shape.matrixElementBytes;
  if (shape.experts)
    bytes +=
      config.num_hidden_layers *
      shape.experts.count *
      config.hidden_size *
      shape.matrixElementBytes;
  bytes += shape.batch * config.hidden_size * F32;
  const kvPerPosition = config.num_hidden_layers * 2 * config.num_key_value_heads * config.head_dim;
  let cache = 0;
  for (let step = 0; step < shape.generateLength; step++)
    cache += shape.batch * (shape.promptLength + step) * kvPerPosition * F32;
  return bytes + cache / shape.generateLength;
}

describe('decodeTraffic', () => {
  const shapes: Shape[] = [
    { matrixElementBytes: 4, batch: 1, promptLength: 9, generateLength: 5 },
    { matrixElementBytes: 2, batch: 3, promptLength: 17, generateLength: 2 },
    {
      matrixElementBytes: 4,
      batch: 1,
      promptLength: 9,
      generateLength: 5,
      experts: { count: 4, topK: 1 },
    },
    {
      matrixElementBytes: 4,
      batch: 3,
      promptLength: 5,
      generateLength: 7,
      experts: { count: 4, topK: 1 },
    },
    {
      matrixElementBytes: 2,
      batch: 2,
      promptLength: 5,
      generateLength: 3,
      experts: { count: 3, topK: 2 },
    },
  ];

  it.each(FIXTURE_VARIANTS.map((variant) => [variant.name, variant] as const))(
    'counts what a step reads on %s as its tensors say',
    async (_, variant) => {
      const directory = join(await temporaryFolder(), 'model');
      await writeFixtureCheckpoint(directory, variant.options);
      const checkpoint = await Checkpoint.open(directory);
      try {
        for (const shape of shapes) {
          const traffic = decodeTraffic(checkpoint.config, {
            ...shape,
            experts: shape.experts && {
              count: shape.experts.count,
              activeShare: shape.experts.topK / shape.experts.count,
            },
          });
          expect(traffic.stepBytes).toBeCloseTo(countedStepBytes(checkpoint, shape), 6);
          expect(traffic.weightBytes + traffic.cacheBytes).toBe(traffic.stepBytes);
        }
      } finally {
        await checkpoint.close();
      }
    },
  );

  it('turns a step size and tokens/s into GB/s, one step serving the whole batch', () => {
    expect(achievedGbS(64e6, 100, 1)).toBeCloseTo(6.4, 12);
    expect(achievedGbS(64e6, 400, 4)).toBeCloseTo(6.4, 12);
  });
});
