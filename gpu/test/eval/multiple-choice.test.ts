import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, noGrad, tensor, type Gpu } from '../../src/index.ts';
import { BROWN_CLOZE_FILE, brownClozeTask, taskJsonl } from '../../src/eval/brown-cloze.ts';
import { buildClozeTask } from '../../src/eval/cloze-task.ts';
import {
  readMultipleChoiceTask,
  scoreMultipleChoice,
  type MultipleChoiceItem,
} from '../../src/eval/multiple-choice.ts';
import { ModelTokenizer } from '../../src/model/tokenizer.ts';
import { brownSplitTexts } from '../../src/train/data/prepare.ts';
import { TrainableLlama } from '../../src/train/trainable-llama.ts';
import { useTemporaryFolders } from '../model/files.ts';
import { tinyTeacher, type TinyTeacher } from '../train/finetune/tiny-teacher.ts';

const temporaryFolder = useTemporaryFolders();
let gpu: Gpu;
let fixture: TinyTeacher;

beforeAll(async () => {
  gpu = await acquireGpu();
  fixture = await tinyTeacher(gpu);
}, 300_000);

afterAll(() => fixture.remove());

/** log p(continuation | context) of one choice, from the model's logits in float64, unbatched. */
async function referenceLikelihood(
  model: TrainableLlama,
  tokenizer: ModelTokenizer,
  context: string,
  choice: string,
): Promise<number> {
  const contextIds = tokenizer.encode(context);
  const ids = tokenizer.encode(context + choice);
  const input = tensor(gpu, Int32Array.from(ids.slice(0, -1)), [ids.length - 1]);
  const pass = noGrad(() => model.logits({ ids: input, batch: 1, positions: ids.length - 1 }));
  const logits = await pass.output.read();
  pass.activations.dispose();
  pass.output.dispose();
  input.dispose();
  const vocabulary = logits.length / (ids.length - 1);
  let total = 0;
  for (let position = contextIds.length; position < ids.length; position++) {
    const row = Array.from(logits.subarray((position - 1) * vocabulary, position * vocabulary));
    const largest = Math.max(...row);
    const logSum =
      largest + Math.log(row.reduce((sum, value) => sum + Math.exp(value - largest), 0));
    total += row[ids[position]!]! - logSum;
  }
  return total;
}

describe('multiple-choice scoring', () => {
  it('picks the choice of highest log-likelihood, as scoring each choice alone does', async () => {
    const model = await TrainableLlama.open(gpu, fixture.teacher);
    const tokenizer = await ModelTokenizer.open(fixture.teacher, model.config);
    const items = buildClozeTask(await brownSplitTexts('validation'), {
      count: 6,
      choices: 3,
      seed: 4,
    });
    const expectedBest = await Promise.all(
      items.map(async (item) => {
        const likelihoods: number[] = [];
        for (const choice of item.choices)
          likelihoods.push(await referenceLikelihood(model, tokenizer, item.context, choice));
        return likelihoods.indexOf(Math.max(...likelihoods));
      }),
    );
    // Make the model's own choice the answer: accuracy 1 means the batched scorer agrees everywhere.
    const agreeing: MultipleChoiceItem[] = items.map((item, index) => ({
      ...item,
      answer: expectedBest[index]!,
    }));
    expect((await scoreMultipleChoice(model, tokenizer, agreeing)).accuracy).toBe(1);
    const disagreeing = agreeing.map((item) => ({ ...item, answer: (item.answer + 1) % 3 }));
    const score = await scoreMultipleChoice(model, tokenizer, disagreeing);
    expect(score).toMatchObject({ accuracy: 0, items: 6 });
    model.dispose();
  }, 120_000);

  it('reads task files, naming the line and field of a bad item', async () => {
    const folder = await temporaryFolder();
    const file = join(folder, 'task.jsonl');
    const item = { context: 'The cat sat on the', choices: [' mat', ' sky'], answer: 0 };
    await writeFile(file, `${JSON.stringify(item)}\n\n${JSON.stringify(item)}\n`);
    expect(await readMultipleChoiceTask(file)).toEqual([item, item]);
    await writeFile(file, `${JSON.stringify(item)}\n${JSON.stringify({ ...item, answer: 2 })}\n`);
    await expect(readMultipleChoiceTask(file)).rejects.toThrow(
      `${file}:2: answer: 2 is not the index of one of the 2 choices`,
    );
    await writeFile(file, `${JSON.stringify({ ...item, choices: [' mat'] })}\n`);
    await expect(readMultipleChoiceTask(file)).rejects.toThrow(`${file}:1: choices: `);
    await writeFile(file, '{"context": \n');
    await expect(readMultipleChoiceTask(file)).rejects.toThrow(`${file}:1: not JSON`);
  });

  it('ships the Brown cloze task that rebuilding from the test split gives', async () => {
    const shipped = await readFile(BROWN_CLOZE_FILE, 'utf8');
    expect(taskJsonl(await brownClozeTask())).toBe(shipped);
    const items = await readMultipleChoiceTask(BROWN_CLOZE_FILE);
    expect(items).toHaveLength(200);
    expect(new Set(items.map(({ answer }) => answer)).size).toBe(4);
  });
});
