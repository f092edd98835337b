import type { LlamaModel } from './llama-model.ts';
import { Sampler, type SamplingOptions } from './sampler.ts';
import { packTokens } from './token-batch.ts';

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

/**
 * Generates continuations of `prompts` together: one prefill of the whole ragged batch, then one
 * forward pass per step for the sequences still running, each against its slot of the KV cache.
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
  try {
    const started = performance.now();
    let next = await sampler.sample(
      model.forward(
        packTokens(prompts.map((ids, slot) => ({ slot, start: 0, ids }))),
        cache,
        'last',
      ),
    );
    const prefillSeconds = (performance.now() - started) / 1000;
    let running = prompts.map((_, slot) => slot);
    const stops = new Set(stopTokenIds);
    for (let step = 0; maxNewTokens > 0; step++) {
      running.forEach((slot, row) => tokens[slot]!.push(next[row]!));
      options.onStep?.(
        step,
        prompts.map((_, slot) => {
          const row = running.indexOf(slot);
          return row < 0 ? undefined : next[row];
        }),
      );
      running = running.filter((slot, row) => !stops.has(next[row]!));
      if (running.length === 0 || step + 1 >= maxNewTokens) break;
      const stepStarted = performance.now();
      const batch = packTokens(
        running.map((slot) => ({
          slot,
          start: prompts[slot]!.length + tokens[slot]!.length - 1,
          ids: [tokens[slot]!.at(-1)!],
        })),
      );
      next = await sampler.sample(model.forward(batch, cache, 'last'));
      stepSeconds.push((performance.now() - stepStarted) / 1000);
    }
    return { tokens, prefillSeconds, stepSeconds };
  } finally {
    cache.dispose();
  }
}
