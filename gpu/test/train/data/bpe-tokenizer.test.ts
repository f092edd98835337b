import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tokenizers from 'tokenizers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  END_OF_TEXT,
  openLabTokenizer,
  readBrownCorpus,
  trainByteLevelBpe,
  writeTokenizerFiles,
  type TrainedTokenizer,
} from '../../../src/train/data/index.ts';
import { bytesToUnicode } from '../../../src/model/byte-tokenizer.ts';
import type { ModelTokenizer } from '../../../src/model/index.ts';

const VOCAB_SIZE = 512;
/** Every Latin-1 code point (so every byte value appears), multibyte scripts, emoji, controls. */
const HARD_TEXTS = [
  String.fromCharCode(...Array.from({ length: 256 }, (_, code) => code)),
  'naïve café, Straße, Ελληνικά, 日本語のテキスト',
  'thumbs 👍🏽, family 👨‍👩‍👧, flag 🇫🇷!',
  '  leading and trailing spaces, \t tabs \r\n and a final newline\n',
];

let folder: string;
let texts: string[];
let trained: TrainedTokenizer;
let tokenizer: ModelTokenizer;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'factorlab-bpe-test-'));
  texts = (await readBrownCorpus()).slice(0, 20).map(({ text }) => text);
  trained = await trainByteLevelBpe(texts, VOCAB_SIZE);
  await writeTokenizerFiles(folder, trained);
  tokenizer = await openLabTokenizer(folder, VOCAB_SIZE);
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('the byte-level BPE', () => {
  it('has exactly vocabSize tokens: the 256 bytes first, learned tokens, end-of-text last', async () => {
    const json = JSON.parse(await readFile(join(folder, 'tokenizer.json'), 'utf8'));
    const vocab = json.model.vocab as Record<string, number>;
    expect(Object.keys(vocab)).toHaveLength(VOCAB_SIZE - 1);
    expect(new Set(Object.values(vocab))).toEqual(
      new Set(Array.from({ length: 511 }, (_, id) => id)),
    );
    bytesToUnicode().forEach((symbol, byte) => expect(vocab[symbol]).toBe(byte));
    expect(json.added_tokens).toMatchObject([{ id: 511, content: END_OF_TEXT, special: true }]);
    expect(trained.endOfTextId).toBe(511);
    expect(json.decoder).toMatchObject({ type: 'ByteLevel' });
    expect(tokenizer.encode(END_OF_TEXT)).toEqual([511]);
  });

  it('decodes what it encodes, for any bytes, through the lab loader', () => {
    for (const text of [...HARD_TEXTS, texts[3]!]) {
      const ids = tokenizer.encode(text);
      expect(
        ids.every((id) => id < VOCAB_SIZE - 1),
        JSON.stringify(text),
      ).toBe(true);
      expect(tokenizer.decode(ids)).toBe(text);
    }
  });

  it('encodes as Hugging Face’s own library does with the same file', async () => {
    const library = tokenizers.Tokenizer.fromFile(join(folder, 'tokenizer.json'));
    for (const text of [...HARD_TEXTS, texts[7]!]) {
      const encoding = await library.encode(text);
      expect(tokenizer.encode(text), JSON.stringify(text.slice(0, 40))).toEqual(encoding.getIds());
    }
  });

  it('learns merges that shorten the text it was trained on', () => {
    const ids = tokenizer.encode(texts[0]!);
    expect(ids.length).toBeLessThan(Buffer.byteLength(texts[0]!) / 2);
  });

  it('trains the same tokenizer twice', async () => {
    expect(await trainByteLevelBpe(texts, VOCAB_SIZE)).toEqual(trained);
  });

  it('refuses a vocabulary size out of range, or more tokens than the text yields', async () => {
    await expect(trainByteLevelBpe(texts, 100)).rejects.toThrow(
      'vocabSize 100 is out of range: give an integer from 512 to 16384 (default 4096)',
    );
    await expect(trainByteLevelBpe(['ab ab ab'], 512)).rejects.toThrow(
      /the training text yields only \d+ tokens, fewer than vocabSize 512/,
    );
  });
});
