import { describe, expect, it } from 'vitest';
import {
  BROWN_CATEGORIES,
  brownTaggedToText,
  readBrownCorpus,
} from '../../../src/train/data/index.ts';
import { stripTag } from '../../../src/train/data/brown-text.ts';
import { categoryOf } from '../../../src/train/data/brown-corpus.ts';

describe('Brown corpus text', () => {
  it('strips the tag after the last slash, keeping slashes inside words', () => {
    expect(stripTag("Atlanta's/np$")).toBe("Atlanta's");
    expect(stripTag('Grand/jj-tl')).toBe('Grand');
    expect(stripTag('not/*')).toBe('not');
    expect(stripTag('1/2/cd')).toBe('1/2');
    expect(stripTag('//in')).toBe('/');
  });

  it('rebuilds paragraphs, headlines, quotes and spacing around punctuation', () => {
    const tagged = [
      '',
      "\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ,/, it/pps said/vbd ./.",
      'A/at second/od sentence/nn (/( in/in brackets/nns )/) !/.',
      '',
      'Merger/nn-hl proposed/vbn-hl ',
      "He/pps said/vbd ,/, ``/`` they/ppss call/vb it/ppo '/' the/at Met/np '/' ''/'' ;/. so/rb --/-- well/rb ./.",
      '\tNew/jj paragraph/nn ?/.',
    ].join('\n');
    expect(brownTaggedToText(tagged)).toBe(
      [
        'The jury said "no evidence", it said. A second sentence (in brackets)!',
        'Merger proposed',
        'He said, "they call it \'the Met\'"; so -- well.',
        'New paragraph?',
      ].join('\n\n'),
    );
  });

  it('reads the 500 documents of the 15 categories as text without tags', async () => {
    const documents = await readBrownCorpus();
    expect(documents).toHaveLength(500);
    expect(new Set(documents.map(({ category }) => category))).toEqual(new Set(BROWN_CATEGORIES));
    const first = documents[0]!;
    expect(first.id).toBe('ca01');
    expect(
      first.text.startsWith(
        'The Fulton County Grand Jury said Friday an investigation of Atlanta\'s recent primary election produced "no evidence" that any irregularities took place.\n\nThe jury further said',
      ),
    ).toBe(true);
    for (const { id, text } of documents) {
      // Inch marks inside words (4' 10'') are the corpus's words; only quote tokens become ".
      expect(text, id).not.toMatch(
        /(^|\s)(``|'')(\s|$)|\/(nn|np|vbd|at|nn-tl|np-tl)\b|\n{3}|^\s|\s$/,
      );
    }
  });

  it('names what a document name should look like', () => {
    expect(() => categoryOf('cz01')).toThrow(/not a Brown document name.*e\.g\. ca01/);
  });
});
