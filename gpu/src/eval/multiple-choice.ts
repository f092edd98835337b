import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ModelTokenizer } from '../model/tokenizer.ts';
import { noGrad } from '../ops/grad-mode.ts';
import { tokenCrossEntropy } from '../ops/index.ts';
import { tensor } from '../tensor/create.ts';
import type { TrainableLlama } from '../train/trainable-llama.ts';

/**
 * One multiple-choice item, as lm-evaluation-harness renders a document: the context, the
 * continuations to compare, and the index of the right one.
 */
export const multipleChoiceItemSchema = z.strictObject({
  context: z.string(),
  choices: z.array(z.string().min(1)).min(2),
  answer: z.int().nonnegative(),
});

export type MultipleChoiceItem = z.output<typeof multipleChoiceItemSchema>;

/** A task file: one item per line (JSONL); errors name the line and the field. */
export async function readMultipleChoiceTask(file: string): Promise<MultipleChoiceItem[]> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const items: MultipleChoiceItem[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new Error(`${file}:${index + 1}: not JSON (${(error as Error).message})`);
    }
    const parsed = multipleChoiceItemSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`${file}:${index + 1}: ${issue.path.join('.') || 'item'}: ${issue.message}`);
    }
    if (parsed.data.answer >= parsed.data.choices.length)
      throw new Error(
        `${file}:${index + 1}: answer: ${parsed.data.answer} is not the index of one of the ${parsed.data.choices.length} choices`,
      );
    items.push(parsed.data);
  });
  if (items.length === 0) throw new Error(`${file}: no items`);
  return items;
}

export interface MultipleChoiceScore {
  /** Share of items whose answer has the highest log-likelihood. */
  accuracy: number;
  /** The same with each log-likelihood divided by its continuation's length in bytes (acc_norm). */
  accuracyNorm: number;
  items: number;
}

/**
 * Each choice's continuation tokens after the context, as lm-evaluation-harness splits them: the
 * tokens of context + choice past the tokens of the context alone.
 */
function continuation(tokenizer: ModelTokenizer, context: string, choice: string) {
  const contextIds = tokenizer.encode(context);
  const whole = tokenizer.encode(context + choice);
  let shared = 0;
  while (shared < contextIds.length && contextIds[shared] === whole[shared]) shared++;
  // At least one context token: the first continuation token needs a position to be predicted from.
  return { ids: whole, from: Math.max(1, shared) };
}

/**
 * Scores `items` by the log-likelihood the model gives each choice after its context: all of an
 * item's choices run as one batch (padded at the end, which a causal model never looks at).
 */
export async function scoreMultipleChoice(
  model: TrainableLlama,
  tokenizer: ModelTokenizer,
  items: readonly MultipleChoiceItem[],
): Promise<MultipleChoiceScore> {
  const gpu = model.parameters.get('model.embed_tokens.weight').engine.gpu;
  let correct = 0;
  let correctNorm = 0;
  for (const item of items) {
    const sequences = item.choices.map((choice) => continuation(tokenizer, item.context, choice));
    const positions = Math.max(...sequences.map(({ ids }) => ids.length)) - 1;
    const inputs = new Int32Array(sequences.length * positions);
    const targets = new Int32Array(sequences.length * positions);
    sequences.forEach(({ ids }, row) => {
      for (let position = 0; position < ids.length - 1; position++) {
        inputs[row * positions + position] = ids[position]!;
        targets[row * positions + position] = ids[position + 1]!;
      }
    });
    const ids = tensor(gpu, inputs, [inputs.length]);
    const targetIds = tensor(gpu, targets, [targets.length]);
    const losses = noGrad(() => {
      const pass = model.logits({ ids, batch: sequences.length, positions });
      const perToken = tokenCrossEntropy(pass.output, targetIds);
      pass.activations.dispose();
      return perToken;
    });
    const values = await losses.read();
    for (const done of [ids, targetIds, losses]) done.dispose();
    const likelihoods = sequences.map(({ ids: sequence, from }, row) => {
      let total = 0;
      // Target position p predicts token p + 1: the continuation's tokens from `from` on.
      for (let position = from - 1; position < sequence.length - 1; position++)
        total -= values[row * positions + position]!;
      return total;
    });
    const best = (scores: number[]) => scores.indexOf(Math.max(...scores));
    if (best(likelihoods) === item.answer) correct++;
    const normalised = likelihoods.map(
      (likelihood, index) => likelihood / Buffer.byteLength(item.choices[index]!),
    );
    if (best(normalised) === item.answer) correctNorm++;
  }
  return {
    accuracy: correct / items.length,
    accuracyNorm: correctNorm / items.length,
    items: items.length,
  };
}
