/**
 * Composes attention (the op itself) with gathers from the qkv rows and the KV cache.
 * Checked against those ops' forward in gpu/test/ops/fused/.
 */
import { attention } from '../attention.ts';
import { runKernel, type KernelDefinition } from '../../kernel/kernel.ts';
import { grid, perElement } from '../../kernel/wgsl.ts';
import type { Engine } from '../../runtime/engine.ts';
import { allocateTensor } from '../../tensor/create.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import type { TokenRun } from './token-batch.ts';
import type { KernelTarget } from '../../kernel/kernel-target.ts';
import { qkvWidth, type HeadLayout, type LayerCache } from './positional.ts';

/**
 * Attention of long runs of new tokens (prefill) on CPU adapters as matmuls. The fused
 * cached-attention kernel walks each (token, head) pair's keys one at a time, about 2 GFLOP/s on
 * lavapipe; the engine's attention op computes the same scores and weighted sums as windowed
 * matmuls (softmax(q k^T / sqrt(d), causal) v, the queries the last positions of the keys), about
 * twice as fast. Per run: its queries gathered head by head from the qkv rows (already rotated),
 * its slot's keys and values up to the run's end copied out of the cache (written by
 * ropeAndStore), the attention op, its output scattered back into the token rows.
 */

/**
 * Fewest new tokens in every run of a batch for it to take the matmul path. Measured on lavapipe
 * (BENCHMARKS.md): the matmul path's packs and extra dispatches cost more than they save at 128
 * tokens a run, break even near 256 and win at 192 and 512.
 */
const MIN_QUERIES = 192;

/** Whether a batch's attention takes the matmul path: CPU kernels, vec4 heads, long runs only. */
export function attendsByMatmul(
  target: KernelTarget,
  { headSize }: HeadLayout,
  runs: readonly TokenRun[],
): boolean {
  return target === 'cpu' && headSize % 4 === 0 && runs.every((run) => run.length >= MIN_QUERIES);
}

const RUN_PARAMS = { count: 'u32', length: 'u32', heads: 'u32', headSize: 'u32' } as const;

/** Element `index` of a head-major [heads, length, headSize] tensor: head h, row i, column j. */
const HEAD_MAJOR_INDEX = /* wgsl */ `
  let j = index % params.headSize;
  let i = (index / params.headSize) % params.length;
  let h = index / (params.headSize * params.length);`;

/** queries[h, i, j] = qkv[row + i, h * headSize + j]: one run's queries, head-major. */
const gatherQueries: KernelDefinition = {
  name: 'inference prefill gather queries',
  params: { ...RUN_PARAMS, row: 'u32', stride: 'u32' },
  inputs: ['qkv'],
  outputs: ['queries'],
  main: perElement(`${HEAD_MAJOR_INDEX}
  queries[index] = qkv[(params.row + i) * params.stride + h * params.headSize + j];`),
};

/** keys[h, i, j] = cache keys[slot, h, i, j] for positions i < length, and the same for values. */
const gatherCache: KernelDefinition = {
  name: 'inference prefill gather keys and values',
  params: { ...RUN_PARAMS, slot: 'u32', capacity: 'u32' },
  inputs: ['keyCache', 'valueCache'],
  outputs: ['keys', 'values'],
  main: perElement(`${HEAD_MAJOR_INDEX}
  let source = ((params.slot * params.heads + h) * params.capacity + i) * params.headSize + j;
  keys[index] = keyCache[source];
  values[index] = valueCache[source];`),
};

/** attended[row + i, h * headSize + j] = output[h, i, j]. */
const scatterOutput: KernelDefinition = {
  name: 'inference prefill scatter attention',
  params: { ...RUN_PARAMS, row: 'u32' },
  inputs: ['output'],
  outputs: ['attended'],
  main: perElement(`${HEAD_MAJOR_INDEX}
  attended[(params.row + i) * params.heads * params.headSize + h * params.headSize + j] =
    output[index];`),
};

/** Attention of every run of a batch into `attended` [tokens, heads * headSize], by matmuls. */
export function prefillAttention(
  engine: Engine,
  runs: readonly TokenRun[],
  qkv: Tensor,
  cache: LayerCache,
  attended: Tensor,
  { heads, kvHeads, headSize }: HeadLayout,
): void {
  for (const { slot, start, row, length } of runs) {
    const what = `${length} tokens from position ${start}, ${heads} heads (${kvHeads} kv)`;
    const queries = allocateTensor(engine, 'prefill queries', [1, heads, length, headSize], 'f32');
    const queryCount = heads * length * headSize;
    runKernel(engine, gatherQueries, {
      operation: `gather queries of ${what}`,
      inputs: [qkv],
      outputs: [queries],
      params: {
        count: queryCount,
        length,
        heads,
        headSize,
        row,
        stride: qkvWidth({ heads, kvHeads, headSize }),
      },
      workgroups: grid(queryCount),
    });
    const positions = start + length;
    const [keys, values] = ['keys', 'values'].map((name) =>
      allocateTensor(engine, `prefill ${name}`, [1, kvHeads, positions, headSize], 'f32'),
    ) as [Tensor, Tensor];
    const cachedCount = kvHeads * positions * headSize;
    runKernel(engine, gatherCache, {
      operation: `gather keys and values of ${what}`,
      inputs: [cache.keys, cache.values],
      outputs: [keys, values],
      params: {
        count: cachedCount,
        length: positions,
        heads: kvHeads,
        headSize,
        slot,
        capacity: cache.capacity,
      },
      workgroups: grid(cachedCount),
    });
    const output = attention(queries, keys, values);
    runKernel(engine, scatterOutput, {
      operation: `scatter attention of ${what}`,
      inputs: [output],
      outputs: [attended],
      params: { count: queryCount, length, heads, headSize, row },
      workgroups: grid(queryCount),
    });
    for (const tensor of [queries, keys, values, output]) tensor.dispose();
  }
}
