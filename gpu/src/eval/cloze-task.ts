import { seededRandom } from '../util/random.ts';
import type { MultipleChoiceItem } from './multiple-choice.ts';

export interface ClozeOptions {
  /** Items in the task. */
  count: number;
  /** Choices per item (the answer and count - 1 distractors). */
  choices: number;
  seed: number;
}

/** Sentences whose last word is plain lowercase, with the sentence before them. */
function candidates(documents: readonly string[]) {
  const found: { context: string; word: string }[] = [];
  for (const text of documents) {
    for (const paragraph of text.split(/\n+/)) {
      const sentences = paragraph.match(/[^.!?]+[.!?]/g) ?? [];
      sentences.forEach((sentence, index) => {
        const match = /^(.*\S) ([a-z]{3,})\.$/.exec(sentence.trim());
        if (!match) return;
        const words = match[1]!.split(/\s+/).length + 1;
        if (words < 8 || words > 40) return;
        const before = index > 0 ? `${sentences[index - 1]!.trim()} ` : '';
        found.push({ context: `${before}${match[1]!}`, word: match[2]! });
      });
    }
  }
  return found;
}

/**
 * A cloze task from held-out text: the last word of a sentence (after the sentence before it)
 * against distractors that end other sentences of the same text, seeded; the answer's place is
 * drawn too. Deterministic for the same documents and options.
 */
export function buildClozeTask(
  documents: readonly string[],
  { count, choices, seed }: ClozeOptions,
): MultipleChoiceItem[] {
  const random = seededRandom(seed);
  const pool = candidates(documents);
  const words = [...new Set(pool.map(({ word }) => word))].sort();
  if (pool.length < count || words.length < choices)
    throw new Error(
      `the documents hold ${pool.length} usable sentences and ${words.length} distinct final words; ` +
        `a cloze task of ${count} items with ${choices} choices needs more`,
    );
  const order = pool.map((_, index) => index);
  for (let index = order.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  return order.slice(0, count).map((picked) => {
    const { context, word } = pool[picked]!;
    const distractors = new Set<string>();
    while (distractors.size < choices - 1) {
      const candidate = words[Math.floor(random() * words.length)]!;
      if (candidate !== word) distractors.add(candidate);
    }
    const answer = Math.floor(random() * choices);
    const options = [...distractors];
    options.splice(answer, 0, word);
    return { context, choices: options.map((option) => ` ${option}`), answer };
  });
}
