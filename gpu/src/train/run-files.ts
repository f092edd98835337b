import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The finished model's folder inside a training run's output. */
export const FINAL_MODEL_FOLDER = 'model';
/** One JSON line per step (and per evaluation): the run's curves, for plots and model cards. */
export const HISTORY_FILE = 'history.jsonl';

/** Adds one line of `values` at `step` to the run's history. */
export async function appendHistory(
  output: string,
  step: number,
  values: Record<string, number>,
): Promise<void> {
  await appendFile(join(output, HISTORY_FILE), `${JSON.stringify({ step, ...values })}\n`);
}

/** Drops history lines past `step`: a resumed run writes them again. */
export async function truncateHistory(output: string, step: number): Promise<void> {
  const path = join(output, HISTORY_FILE);
  const lines = (await readFile(path, 'utf8').catch(() => ''))
    .split('\n')
    .filter((line) => line && (JSON.parse(line) as { step: number }).step <= step);
  await writeFile(path, lines.map((line) => `${line}\n`).join(''));
}

/** The dotted path of the first field where `saved` and `current` differ (a resume check). */
export function firstDifference(saved: unknown, current: unknown, path = ''): string | undefined {
  if (typeof saved !== 'object' || saved === null || typeof current !== 'object' || !current)
    return JSON.stringify(saved) === JSON.stringify(current) ? undefined : path || '(root)';
  const keys = new Set([...Object.keys(saved), ...Object.keys(current)]);
  for (const key of keys) {
    const found = firstDifference(
      (saved as Record<string, unknown>)[key],
      (current as Record<string, unknown>)[key],
      path ? `${path}.${key}` : key,
    );
    if (found) return found;
  }
  return undefined;
}
