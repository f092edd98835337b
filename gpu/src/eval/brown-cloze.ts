import { brownSplitTexts } from '../train/data/prepare.ts';
import { buildClozeTask, type ClozeOptions } from './cloze-task.ts';
import type { MultipleChoiceItem } from './multiple-choice.ts';

/** The cloze task shipped beside the demo model: 200 items of 4 choices from the test split. */
export const BROWN_CLOZE_DEFAULTS: ClozeOptions = { count: 200, choices: 4, seed: 1 };
export const BROWN_CLOZE_FILE = 'models/demo/tasks/brown-cloze.jsonl';

/** The Brown cloze task, built from the held-out test split (no model has trained on it). */
export async function brownClozeTask(
  options: ClozeOptions = BROWN_CLOZE_DEFAULTS,
): Promise<MultipleChoiceItem[]> {
  return buildClozeTask(await brownSplitTexts('test'), options);
}

/** The task as the JSONL file a task reader takes. */
export function taskJsonl(items: readonly MultipleChoiceItem[]): string {
  return items.map((item) => `${JSON.stringify(item)}\n`).join('');
}
