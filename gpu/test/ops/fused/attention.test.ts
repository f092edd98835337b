import { describe, it } from 'vitest';
import { attention, rope, tensor, type Tensor } from '../../../src/index.ts';
import { cachedAttention } from '../../../src/ops/fused/cached-attention.ts';
import { prefillAttention } from '../../../src/ops/fused/prefill-attention.ts';
import { qkvWidth, ropeAndStore, type HeadLayout } from '../../../src/ops/fused/positional.ts';
import { packTokens } from '../../../src/ops/fused/token-batch.ts';
import { expectClose } from '../helpers.ts';
import { fusedBench, type FusedBench } from './fused-helpers.ts';

/** Grouped queries (2 and 4 heads a key/value head) and plain multi-head, head size 8 or 12. */
const LAYOUTS: readonly HeadLayout[] = [
  { heads: 4, kvHeads: 2, headSize: 8 },
  { heads: 3, kvHeads: 3, headSize: 12 },
  { heads: 8, kvHeads: 2, headSize: 8 },
];
const TOKENS = 6;
const CAPACITY = 8;

/** Heads `first` .. `first + count` of each qkv row as [1, count, tokens, headSize]. */
function headsOf(
  layout: HeadLayout,
  qkv: Float32Array,
  first: number,
  count: number,
): Float32Array {
  const { headSize } = layout;
  const width = qkvWidth(layout);
  const out = new Float32Array(count * TOKENS * headSize);
  for (let h = 0; h < count; h++)
    for (let t = 0; t < TOKENS; t++)
      for (let d = 0; d < headSize; d++)
        out[(h * TOKENS + t) * headSize + d] = qkv[t * width + (first + h) * headSize + d]!;
  return out;
}

/** [1, heads, tokens, headSize] as the fused kernels' [tokens, heads * headSize] rows. */
function tokenRows(layout: HeadLayout, values: Float32Array): Float32Array {
  const { heads, headSize } = layout;
  const out = new Float32Array(values.length);
  for (let h = 0; h < heads; h++)
    for (let t = 0; t < TOKENS; t++)
      for (let d = 0; d < headSize; d++)
        out[(t * heads + h) * headSize + d] = values[(h * TOKENS + t) * headSize + d]!;
  return out;
}

/** One sequence of TOKENS new tokens in cache slot 0: its qkv rows rotated and cached. */
async function prefilled(bench: FusedBench, layout: HeadLayout) {
  const { heads, kvHeads, headSize } = layout;
  const qkv = bench.random([TOKENS, qkvWidth(layout)], 11);
  const original = await qkv.read();
  const batch = packTokens([{ slot: 0, start: 0, ids: Array.from({ length: TOKENS }, () => 1) }]);
  const tokens = bench.ints([...batch.table], [batch.table.length]);
  const frequencies = Float32Array.from(
    { length: headSize / 2 },
    (_, j) => 10_000 ** ((-2 * j) / headSize),
  );
  const inverseFrequencies = tensor(bench.gpu, frequencies, [headSize / 2]);
  const cache = {
    keys: bench.output([1, kvHeads, CAPACITY, headSize]),
    values: bench.output([1, kvHeads, CAPACITY, headSize]),
    capacity: CAPACITY,
  };
  ropeAndStore(bench.engine, tokens, inverseFrequencies, qkv, cache, layout);
  const upload = (values: Float32Array, count: number): Tensor =>
    tensor(bench.gpu, values, [1, count, TOKENS, headSize]);
  const q = rope(upload(headsOf(layout, original, 0, heads), heads), { inverseFrequencies });
  const k = rope(upload(headsOf(layout, original, heads, kvHeads), kvHeads), {
    inverseFrequencies,
  });
  const v = upload(headsOf(layout, original, heads + kvHeads, kvHeads), kvHeads);
  return { qkv, tokens, cache, batch, q, k, v };
}

/** The first TOKENS positions of a [1, kvHeads, CAPACITY, headSize] cache. */
async function cachedPositions(layout: HeadLayout, cache: Tensor): Promise<Float32Array> {
  const { kvHeads, headSize } = layout;
  const values = await cache.read();
  const out = new Float32Array(kvHeads * TOKENS * headSize);
  for (let h = 0; h < kvHeads; h++)
    out.set(
      values.subarray(h * CAPACITY * headSize, (h * CAPACITY + TOKENS) * headSize),
      h * TOKENS * headSize,
    );
  return out;
}

describe.each(LAYOUTS)(
  'positional and attention kernels against rope and attention, %j',
  (layout) => {
    it('ropeAndStore rotates the queries in place as rope does, and caches rotated keys and values', async () => {
      const bench = await fusedBench();
      const { qkv, cache, q, k, v } = await prefilled(bench, layout);
      const rotated = await qkv.read();
      expectClose(headsOf(layout, rotated, 0, layout.heads), await q.read(), 1e-6);
      expectClose(await cachedPositions(layout, cache.keys), await k.read(), 1e-6);
      expectClose(await cachedPositions(layout, cache.values), await v.read(), 0);
    });

    it.each(['cpu', 'gpu'] as const)(
      'cachedAttention (%s family) equals attention',
      async (target) => {
        const bench = await fusedBench();
        const { qkv, tokens, cache, q, k, v } = await prefilled(bench, layout);
        const out = bench.output([TOKENS, layout.heads * layout.headSize]);
        cachedAttention(bench.engine, target, tokens, qkv, cache, out, layout);
        const expected = tokenRows(layout, await attention(q, k, v).read());
        expectClose(await out.read(), expected, 1e-5);
      },
    );

    it('prefillAttention (queries and cache through the attention op) equals attention', async () => {
      const bench = await fusedBench();
      const { qkv, cache, batch, q, k, v } = await prefilled(bench, layout);
      const out = bench.output([TOKENS, layout.heads * layout.headSize]);
      prefillAttention(bench.engine, batch.runs, qkv, cache, out, layout);
      const expected = tokenRows(layout, await attention(q, k, v).read());
      expectClose(await out.read(), expected, 1e-5);
    });
  },
);
