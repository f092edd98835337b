/**
 * Count-based baselines a trained model must beat, over the same tokens: an add-one unigram and
 * an interpolated Kneser-Ney bigram. Both predict token i of a stream from token i - 1 (the
 * unigram ignores it), so they score the same targets as a language model does: all but the first.
 */

/** A next-token distribution over ids 0 .. vocabSize - 1. */
export interface TokenModel {
  readonly vocabSize: number;
  probability(previous: number, next: number): number;
}

function checkTokens(tokens: ArrayLike<number>, vocabSize: number): void {
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (!Number.isInteger(token) || token < 0 || token >= vocabSize)
      throw new RangeError(
        `token ${token} at ${index} is outside the vocabulary (0 to ${vocabSize - 1})`,
      );
  }
}

/** p(w) = (c(w) + 1) / (T + V), counts over the stream's targets. */
export function trainAddOneUnigram(tokens: ArrayLike<number>, vocabSize: number): TokenModel {
  checkTokens(tokens, vocabSize);
  const counts = new Float64Array(vocabSize);
  for (let index = 1; index < tokens.length; index++) counts[tokens[index]!]!++;
  const denominator = Math.max(0, tokens.length - 1) + vocabSize;
  return { vocabSize, probability: (_previous, next) => (counts[next]! + 1) / denominator };
}

/** Chen and Goodman's single discount n1 / (n1 + 2 n2) from counts of counts; 0.75 without them. */
function estimateDiscount(counts: Iterable<number>): number {
  let once = 0;
  let twice = 0;
  for (const count of counts) {
    if (count === 1) once++;
    else if (count === 2) twice++;
  }
  return once > 0 && twice > 0 ? once / (once + 2 * twice) : 0.75;
}

export interface KneserNeyOptions {
  /** The bigram discount (default estimated from the training counts). */
  readonly bigramDiscount?: number;
  /** The discount of the continuation unigram level (default estimated likewise). */
  readonly continuationDiscount?: number;
}

export interface KneserNeyBigram extends TokenModel {
  readonly bigramDiscount: number;
  readonly continuationDiscount: number;
}

/**
 * Interpolated Kneser-Ney over token bigrams (Chen and Goodman 1998), down to a uniform floor:
 *   p(w | v)   = max(c(v w) - D2, 0) / c(v .) + D2 N1+(v .) / c(v .) * p_kn(w)
 *   p_kn(w)    = max(N1+(. w) - D1, 0) / N1+(. .) + D1 |{w : N1+(. w) > 0}| / N1+(. .) / V
 * and p(w | v) = p_kn(w) for a context v never seen. Each level sums to 1 over the vocabulary.
 */
export function trainKneserNeyBigram(
  tokens: ArrayLike<number>,
  vocabSize: number,
  options: KneserNeyOptions = {},
): KneserNeyBigram {
  checkTokens(tokens, vocabSize);
  if (tokens.length < 2) throw new RangeError('a bigram model needs at least two training tokens');
  const pairCounts = new Map<number, number>();
  const contextCounts = new Float64Array(vocabSize);
  const contextTypes = new Float64Array(vocabSize);
  const continuationCounts = new Float64Array(vocabSize);
  for (let index = 1; index < tokens.length; index++) {
    const previous = tokens[index - 1]!;
    const next = tokens[index]!;
    const key = previous * vocabSize + next;
    const count = pairCounts.get(key) ?? 0;
    if (count === 0) {
      contextTypes[previous]!++;
      continuationCounts[next]!++;
    }
    pairCounts.set(key, count + 1);
    contextCounts[previous]!++;
  }
  const bigramDiscount = options.bigramDiscount ?? estimateDiscount(pairCounts.values());
  const continuationDiscount = options.continuationDiscount ?? estimateDiscount(continuationCounts);
  for (const [name, discount] of [
    ['bigramDiscount', bigramDiscount],
    ['continuationDiscount', continuationDiscount],
  ] as const)
    if (!(discount > 0 && discount < 1))
      throw new RangeError(`${name} must lie strictly between 0 and 1, not ${discount}`);

  const bigramTypes = pairCounts.size;
  const continuedTypes = continuationCounts.reduce((sum, count) => sum + (count > 0 ? 1 : 0), 0);
  const continuation = Float64Array.from(
    continuationCounts,
    (count) =>
      Math.max(count - continuationDiscount, 0) / bigramTypes +
      (continuationDiscount * continuedTypes) / bigramTypes / vocabSize,
  );
  return {
    vocabSize,
    bigramDiscount,
    continuationDiscount,
    probability(previous, next) {
      const contextCount = contextCounts[previous]!;
      if (contextCount === 0) return continuation[next]!;
      const pairCount = pairCounts.get(previous * vocabSize + next) ?? 0;
      return (
        Math.max(pairCount - bigramDiscount, 0) / contextCount +
        ((bigramDiscount * contextTypes[previous]!) / contextCount) * continuation[next]!
      );
    },
  };
}

export interface PerplexityScore {
  /** Targets scored: every token of the stream but the first. */
  readonly targets: number;
  /** Sum of -ln p over the targets, in nats. */
  readonly totalLoss: number;
  /** exp(totalLoss / targets). */
  readonly tokenPerplexity: number;
  /** exp(totalLoss / words): comparable across tokenizers of the same text. */
  readonly wordPerplexity: number;
}

/** How well `model` predicts `tokens`, a stream holding `words` words. */
export function scorePerplexity(
  model: TokenModel,
  tokens: ArrayLike<number>,
  words: number,
): PerplexityScore {
  checkTokens(tokens, model.vocabSize);
  if (tokens.length < 2) throw new RangeError('scoring needs at least two tokens');
  let totalLoss = 0;
  for (let index = 1; index < tokens.length; index++)
    totalLoss -= Math.log(model.probability(tokens[index - 1]!, tokens[index]!));
  const targets = tokens.length - 1;
  return {
    targets,
    totalLoss,
    tokenPerplexity: Math.exp(totalLoss / targets),
    wordPerplexity: Math.exp(totalLoss / words),
  };
}
