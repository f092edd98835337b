import type { LlamaModel } from './llama-model.ts';
import { Sampler, type SamplingOptions } from './sampler.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { packTokens, type SequenceChunk } from '../ops/fused/token-batch.ts';

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  /** A sequence stops once it produces one of these (it is kept in its output). */
  stopTokenIds?: readonly number[];
  /** Called after every decode step with the tokens just produced, in prompt order. */
  onStep?: (step: number, tokens: readonly (number | undefined)[]) => void;
}

export interface Generation {
  /** New tokens of each prompt, in prompt order. */
  tokens: number[][];
  prefillSeconds: number;
  /** Wall time of each decode step (prefill's sample excluded). */
  stepSeconds: number[];
}

/** One forward pass and its sampling, queued: the rows' slots, their ids on the GPU, and the read. */
interface QueuedStep {
  slots: number[];
  chosen: Tensor;
  ids: Promise<Int32Array>;
}

/**
 * Generates continuations of `prompts` together: one prefill of the whole ragged batch, then one
 * forward pass per step for the sequences still running, each against its slot of the KV cache.
 *
 * Decoding is pipelined: step n + 1 is encoded and queued, reading step n's tokens straight from
 * the GPU, before step n's tokens are read back, so the device never idles while the host encodes
 * or waits for a readback. When a sequence stops, the step queued past it is dropped and the next
 * one is packed for the sequences left.
 */
export async function generate(
  model: LlamaModel,
  prompts: readonly (readonly number[])[],
  options: GenerateOptions,
): Promise<Generation> {
  const { maxNewTokens, stopTokenIds = [] } = options;
  const longest = Math.max(...prompts.map((prompt) => prompt.length));
  const capacity = longest + maxNewTokens;
  if (capacity > model.config.max_position_embeddings) {
    throw new Error(
      `prompt of ${longest} tokens + ${maxNewTokens} new ones exceeds the model's ` +
        `max_position_embeddings (${model.config.max_position_embeddings})`,
    );
  }
  const sampler = new Sampler(model.engine, options);
  const cache = model.createCache(prompts.length, capacity);
  const tokens: number[][] = prompts.map(() => []);
  const stepSeconds: number[] = [];
  const stops = new Set(stopTokenIds);
  const queue = (slots: number[], chunks: SequenceChunk[], tokenIds?: Tensor): QueuedStep => {
    const chosen = sampler.choose(model.forward(packTokens(chunks), cache, 'last', tokenIds));
    return { slots, chosen, ids: chosen.readIndices() };
  };
  // Feeds each slot's newest token, at the position after its prompt and earlier tokens.
  const decodeChunks = (slots: number[], produced: number, ids: (slot: number) => number) =>
    slots.map((slot) => ({ slot, start: prompts[slot]!.length + produced - 1, ids: [ids(slot)] }));
  const drop = async (step: QueuedStep | undefined) => {
    if (!step) return;
    await step.ids.catch(() => undefined);
    step.chosen.dispose();
  };
  const started = performance.now();
  let step: QueuedStep | undefined = queue(
    prompts.map((_, slot) => slot),
    prompts.map((ids, slot) => ({ slot, start: 0, ids })),
  );
  let ahead: QueuedStep | undefined;
  let prefillSeconds = 0;
  let lastTokenAt = started;
  try {
    for (let produced = 0; step;) {
      // `step` yields token number `produced` of each of its slots; queue the next one behind it.
      ahead =
        produced + 1 < maxNewTokens
          ? queue(
              step.slots,
              decodeChunks(step.slots, produced + 1, () => 0),
              step.chosen,
            )
          : undefined;
      const ids = await step.ids;
      step.chosen.dispose();
      const now = performance.now();
      if (produced === 0) prefillSeconds = (now - started) / 1000;
      else stepSeconds.push((now - lastTokenAt) / 1000);
      lastTokenAt = now;
      if (produced >= maxNewTokens) break;
      const finished: number[] = step.slots;
      finished.forEach((slot, row) => tokens[slot]!.push(ids[row]!));
      produced++;
      options.onStep?.(
        produced - 1,
        prompts.map((_, slot) => {
          const row = finished.indexOf(slot);
          return row < 0 ? undefined : ids[row];
        }),
      );
      const running: number[] = finished.filter((_, row) => !stops.has(ids[row]!));
      step = ahead;
      ahead = undefined;
      if (step && running.length < finished.length) {
        await drop(step);
        step =
          running.length > 0
            ? queue(
                running,
                decodeChunks(running, produced, (slot) => tokens[slot]!.at(-1)!),
              )
            : undefined;
      }
    }
    return { tokens, prefillSeconds, stepSeconds };
  } finally {
    await drop(ahead);
    await drop(step);
    cache.dispose();
  }
}
