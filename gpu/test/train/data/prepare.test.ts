import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  brownBaselines,
  openLabTokenizer,
  prepareBrownData,
  prepareBrownDataForModel,
  readBrownCorpus,
  scorePerplexity,
  SPLITS,
  trainByteLevelBpe,
  trainKneserNeyBigram,
  type BrownData,
  type BrownDocument,
} from '../../../src/train/data/index.ts';

/** The stream's documents: the runs between end-of-text tokens. */
function documentsOf(stream: Uint16Array, endOfTextId: number): number[][] {
  const documents: number[][] = [];
  let current: number[] = [];
  for (let index = 1; index < stream.length; index++) {
    if (stream[index] === endOfTextId) {
      documents.push(current);
      current = [];
    } else current.push(stream[index]!);
  }
  return documents;
}

/** Typed-array equality without vitest's element-by-element deep comparison (seconds at this size). */
function sameTokens(left: Uint16Array, right: Uint16Array): boolean {
  return Buffer.from(left.buffer, left.byteOffset, left.byteLength).equals(
    Buffer.from(right.buffer, right.byteOffset, right.byteLength),
  );
}

let folder: string;
let data: BrownData;
let corpus: Map<string, BrownDocument>;
const built: string[] = [];

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'factorlab-brown-test-'));
  data = await prepareBrownData({ dir: folder, log: (message) => built.push(message) });
  corpus = new Map((await readBrownCorpus()).map((document) => [document.id, document]));
}, 180_000);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('prepared Brown data', () => {
  it('packs each split as end-of-text, then every document followed by end-of-text', () => {
    expect(data.vocabSize).toBe(4096);
    expect(data.endOfTextId).toBe(4095);
    expect(data.tokenizerPath).toBe(join(folder, 'brown-bpe-4096', 'tokenizer.json'));
    expect(data.tokenizerTrainingMs).toBeGreaterThan(0);
    for (const split of SPLITS) {
      const stream = data.splits[split];
      expect(stream[0]).toBe(data.endOfTextId);
      expect(stream.at(-1)).toBe(data.endOfTextId);
      expect(documentsOf(stream, data.endOfTextId)).toHaveLength(
        data.documentsPerSplit[split].length,
      );
    }
    expect(SPLITS.map((split) => data.documentsPerSplit[split].length)).toEqual([396, 52, 52]);
    const words = (split: 'train' | 'validation' | 'test') =>
      data.documentsPerSplit[split].reduce(
        (sum, id) => sum + corpus.get(id)!.text.split(/\s+/).filter(Boolean).length,
        0,
      );
    for (const split of SPLITS) expect(data.wordsPerSplit[split]).toBe(words(split));
  });

  it('decodes every document of every split back to its text through the lab loader', async () => {
    const tokenizer = await openLabTokenizer(data.tokenizerDirectory, data.vocabSize);
    for (const split of SPLITS) {
      const documents = documentsOf(data.splits[split], data.endOfTextId);
      data.documentsPerSplit[split].forEach((id, index) => {
        expect(tokenizer.decode(documents[index]!), id).toBe(corpus.get(id)!.text);
      });
    }
  });

  it('trains the same tokenizer file again from the train split', async () => {
    const trainTexts = data.documentsPerSplit.train.map((id) => corpus.get(id)!.text);
    const again = await trainByteLevelBpe(trainTexts, data.vocabSize);
    const file = JSON.parse(await readFile(data.tokenizerPath, 'utf8'));
    expect(file).toEqual(again.tokenizerJson);
  }, 60_000);

  it('spends 1.3-1.9 tokens a word on the validation split', () => {
    const tokensPerWord = (data.splits.validation.length - 1) / data.wordsPerSplit.validation;
    console.log(`validation: ${tokensPerWord.toFixed(3)} tokens per word`);
    expect(tokensPerWord).toBeGreaterThan(1.3);
    expect(tokensPerWord).toBeLessThan(1.9);
  });

  it('gives baselines where the bigram beats the unigram on the test split', () => {
    const scores = brownBaselines(data, 'test');
    console.log('test split baselines', scores);
    const bigram = trainKneserNeyBigram(data.splits.train, data.vocabSize);
    expect(scores.bigram.totalLoss).toBeCloseTo(
      scorePerplexity(bigram, data.splits.test, data.wordsPerSplit.test).totalLoss,
      6,
    );
    expect(scores.unigram.targets).toBe(data.splits.test.length - 1);
    expect(scores.bigram.tokenPerplexity).toBeLessThan(scores.unigram.tokenPerplexity / 3);
    expect(scores.bigram.tokenPerplexity).toBeGreaterThan(50);
    expect(() => brownBaselines(data, 'dev')).toThrow('unknown split "dev"');
  });

  it('reads the cache on a second call without training or tokenising', async () => {
    built.length = 0;
    const again = await prepareBrownData({ dir: folder, log: (message) => built.push(message) });
    expect(built).toEqual([]);
    expect(again.tokenizerTrainingMs).toBeUndefined();
    for (const split of SPLITS)
      expect(sameTokens(again.splits[split], data.splits[split])).toBe(true);
    expect(again.wordsPerSplit).toEqual(data.wordsPerSplit);
  });

  it('rebuilds a split whose cache was made with another tokenizer', async () => {
    const header = join(data.tokenizerDirectory, 'validation.json');
    const json = JSON.parse(await readFile(header, 'utf8'));
    await writeFile(header, JSON.stringify({ ...json, tokenizerSha256: 'another tokenizer' }));
    built.length = 0;
    const again = await prepareBrownData({ dir: folder, log: (message) => built.push(message) });
    expect(built).toEqual(['tokenising the validation split (52 documents)']);
    expect(sameTokens(again.splits.validation, data.splits.validation)).toBe(true);
    expect(JSON.parse(await readFile(header, 'utf8'))).toEqual(json);
  });

  it('names a damaged cache and the fix', async () => {
    const bin = join(data.tokenizerDirectory, 'test.bin');
    await truncate(bin, 1000);
    await expect(prepareBrownData({ dir: folder })).rejects.toThrow(
      `the token cache ${bin} is corrupt (1000 bytes where the header promises ${data.splits.test.length} uint16 tokens): delete the folder ${data.tokenizerDirectory} and run again to rebuild it`,
    );
    await writeFile(join(data.tokenizerDirectory, 'test.json'), '{"format": ');
    await expect(prepareBrownData({ dir: folder })).rejects.toThrow(
      /test\.json: .*delete the folder/,
    );
  });

  it('refuses a vocabulary size out of range before any work', async () => {
    await expect(prepareBrownData({ dir: folder, vocabSize: 100_000 })).rejects.toThrow(
      'vocabSize 100000 is out of range: give an integer from 512 to 16384 (default 4096)',
    );
  });

  it("tokenises the corpus with a model's own tokenizer (the demo's gives the same streams)", async () => {
    built.length = 0;
    const demo = await prepareBrownDataForModel('models/demo', {
      dir: folder,
      log: (message) => built.push(message),
    });
    expect(built).toEqual(
      SPLITS.map((split) => expect.stringContaining(`tokenising the ${split}`)),
    );
    expect(demo.tokenizerSha256).toBe(data.tokenizerSha256);
    expect(demo.endOfTextId).toBe(data.endOfTextId);
    expect(demo.vocabSize).toBe(4096);
    for (const split of SPLITS)
      expect(sameTokens(demo.splits[split], data.splits[split])).toBe(true);
    built.length = 0;
    await prepareBrownDataForModel('models/demo', { dir: folder, log: (m) => built.push(m) });
    expect(built).toEqual([]);
  });
});
