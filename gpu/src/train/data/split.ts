import { BROWN_CATEGORIES, categoryOf, type BrownCategory } from './brown-corpus.ts';

export const SPLITS = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

/** The split named `name`, or an error listing the names there are. */
export function parseSplitName(name: string): SplitName {
  const split = SPLITS.find((candidate) => candidate === name);
  if (split === undefined)
    throw new Error(`unknown split ${JSON.stringify(name)} (expected ${SPLITS.join(', ')})`);
  return split;
}

/**
 * The held-out rule, per category with n documents in name order: cut them into
 * h = max(1, round(n / 10)) blocks of floor-spaced bounds; the last document of each block goes
 * to test, the one before it to validation. About a tenth of each category to each held-out
 * split, spread over the category (its files run source by source), every category in both.
 */
export function assignSplits(ids: readonly string[]): Map<string, SplitName> {
  const byCategory = new Map<BrownCategory, string[]>(BROWN_CATEGORIES.map((c) => [c, []]));
  for (const id of ids) byCategory.get(categoryOf(id))!.push(id);
  const assignment = new Map<string, SplitName>();
  for (const members of byCategory.values()) {
    members.sort();
    const blocks = Math.max(1, Math.round(members.length / 10));
    members.forEach((id) => assignment.set(id, 'train'));
    if (members.length < 3) continue;
    for (let block = 1; block <= blocks; block++) {
      const end = Math.floor((block * members.length) / blocks);
      assignment.set(members[end - 2]!, 'validation');
      assignment.set(members[end - 1]!, 'test');
    }
  }
  return assignment;
}
