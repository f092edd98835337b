import type { Engine } from '../runtime/engine.ts';
import { allocateTensor, tensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { seededRandom } from '../util/random.ts';
import { argmaxRows, sampleTopP } from '../ops/fused/sampling.ts';

export interface SamplingOptions {
  /** 0 picks the most likely token (greedy); otherwise logits are divided by it. */
  temperature?: number;
  /** Nucleus: sample among the most likely tokens holding this much probability (default 1). */
  topP?: number;
  seed?: number;
}

/** Picks the next token of each logits row on the GPU; only the chosen ids are read back. */
export class Sampler {
  private readonly temperature: number;
  private readonly topP: number;
  private readonly random: () => number;

  constructor(
    private readonly engine: Engine,
    { temperature = 0, topP = 1, seed = 0 }: SamplingOptions = {},
  ) {
    if (!(temperature >= 0)) throw new Error(`temperature must be 0 or more, got ${temperature}`);
    if (!(topP > 0 && topP <= 1)) throw new Error(`top-p must be in (0, 1], got ${topP}`);
    this.temperature = temperature;
    this.topP = topP;
    this.random = seededRandom(seed);
  }

  /**
   * Encodes the choice for every row of `logits` [rows, vocab], disposes the logits and returns
   * the chosen ids [rows] (i32) on the GPU, where the next decode step can read them unseen.
   */
  choose(logits: Tensor): Tensor {
    const rows = logits.shape[0]!;
    const ids = allocateTensor(this.engine, 'sampled ids', [rows], 'i32');
    if (this.temperature === 0) {
      argmaxRows(this.engine, logits, ids);
    } else {
      const draws = Float32Array.from({ length: rows }, () => this.random());
      const uniforms = tensor(this.engine.gpu, draws, [rows]);
      sampleTopP(this.engine, logits, uniforms, ids, {
        temperature: this.temperature,
        topP: this.topP,
      });
      uniforms.dispose();
    }
    logits.dispose();
    return ids;
  }

  /** choose(), then reads the ids back and frees them. */
  async sample(logits: Tensor): Promise<number[]> {
    const ids = this.choose(logits);
    try {
      return [...(await ids.readIndices())];
    } finally {
      ids.dispose();
    }
  }
}
