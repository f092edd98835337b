import { describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { assignSplits, BROWN_CATEGORIES, parseSplitName } from '../../../src/train/data/index.ts';
import { brownCorpusDirectory } from '../../../src/train/data/brown-corpus.ts';

/** The recorded split: changing the rule changes these lists, and every figure measured on them. */
const VALIDATION =
  'ca10 ca21 ca32 ca43 cb08 cb17 cb26 cc07 cc16 cd07 cd16 ce08 ce17 ce26 ce35 cf08 cf18 cf27 cf37 cf47 cg08 cg17 cg27 cg36 cg45 cg55 cg64 cg74 ch09 ch19 ch29 cj09 cj19 cj29 cj39 cj49 cj59 cj69 cj79 ck08 ck18 ck28 cl11 cl23 cm05 cn08 cn18 cn28 cp08 cp18 cp28 cr08';
const TEST =
  'ca11 ca22 ca33 ca44 cb09 cb18 cb27 cc08 cc17 cd08 cd17 ce09 ce18 ce27 ce36 cf09 cf19 cf28 cf38 cf48 cg09 cg18 cg28 cg37 cg46 cg56 cg65 cg75 ch10 ch20 ch30 cj10 cj20 cj30 cj40 cj50 cj60 cj70 cj80 ck09 ck19 ck29 cl12 cl24 cm06 cn09 cn19 cn29 cp09 cp19 cp29 cr09';

async function documentIds(): Promise<string[]> {
  return (await readdir(brownCorpusDirectory())).filter((name) => /^c[a-r]\d\d$/.test(name));
}

describe('the document split', () => {
  it('holds the recorded documents out: 396 train, 52 validation, 52 test', async () => {
    const assignment = assignSplits(await documentIds());
    const members = (split: string) =>
      [...assignment]
        .filter(([, name]) => name === split)
        .map(([id]) => id)
        .sort();
    expect(members('validation').join(' ')).toBe(VALIDATION);
    expect(members('test').join(' ')).toBe(TEST);
    expect(members('train')).toHaveLength(396);
    expect(assignment.get('ca01')).toBe('train');
    expect(assignment.get('cm05')).toBe('validation');
    expect(assignment.get('cr09')).toBe('test');
  });

  it('puts every category in both held-out splits, and does not depend on input order', async () => {
    const ids = await documentIds();
    const assignment = assignSplits(ids);
    for (const split of ['validation', 'test'])
      expect(
        new Set([...assignment].filter(([, name]) => name === split).map(([id]) => id[1])),
      ).toEqual(new Set(BROWN_CATEGORIES));
    expect(assignSplits([...ids].reverse())).toEqual(assignment);
  });

  it('refuses an unknown split by name', () => {
    expect(parseSplitName('validation')).toBe('validation');
    expect(() => parseSplitName('valid')).toThrow(
      'unknown split "valid" (expected train, validation, test)',
    );
  });
});
