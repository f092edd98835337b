import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BYTE_TOKENIZER_BASE_SIZE,
  buildByteTokenizer,
  ModelFileError,
  ModelTokenizer,
  parseModelConfig,
  writeByteTokenizer,
} from '../../src/index.ts';
import { TINY_CONFIG, useTemporaryFolders } from './files.ts';

const temporaryFolder = useTemporaryFolders();

const CONFIG = parseModelConfig({ ...TINY_CONFIG, vocab_size: 400 }, 'config.json');

/** Byte tokens follow the three specials, in byte order. */
const BYTE = (byte: number) => 3 + byte;
const BOS = 1;

const TEXTS = {
  ascii: 'Hello, world! The quick brown fox; 12345 + 678 = ?\n\ttabs  and   spaces ',
  multibyte: 'naïve café, Straße, Ελληνικά, 日本語のテキスト',
  emoji: 'thumbs 👍🏽, family 👨‍👩‍👧, flag 🇫🇷!',
};

const TRAINING_TEXT = `${Object.values(TEXTS).join(' ')} the the the then than that this ${'abc '.repeat(20)}`;

async function folderWith(files: Record<string, unknown>): Promise<string> {
  const folder = await temporaryFolder();
  for (const [name, content] of Object.entries(files))
    await writeFile(
      join(folder, name),
      typeof content === 'string' ? content : JSON.stringify(content),
    );
  return folder;
}

async function openError(folder: string, config = CONFIG): Promise<ModelFileError> {
  const error = await ModelTokenizer.open(folder, config).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ModelFileError);
  return error as ModelFileError;
}

describe('byte-level tokenizer', () => {
  it('encodes each byte as its own token after BOS, and decodes back', async () => {
    const folder = await temporaryFolder();
    await writeByteTokenizer(folder);
    const tokenizer = await ModelTokenizer.open(folder, CONFIG);
    expect(tokenizer.bosTokenId).toBe(BOS);
    expect(tokenizer.eosTokenIds).toEqual([2]);
    expect(tokenizer.encode('hi é')).toEqual([
      BOS,
      BYTE(0x68),
      BYTE(0x69),
      BYTE(0x20),
      BYTE(0xc3),
      BYTE(0xa9),
    ]);
    expect(tokenizer.decode([BOS, BYTE(0x68), BYTE(0x69), 2])).toBe('<s>hi</s>');
    expect(tokenizer.decode([BOS, BYTE(0x68), BYTE(0x69), 2], { skipSpecialTokens: true })).toBe(
      'hi',
    );
  });

  for (const [kind, text] of Object.entries(TEXTS))
    it(`round-trips ${kind} text, with bytes only and with learned merges`, async () => {
      const bytesOnly = await temporaryFolder();
      await writeByteTokenizer(bytesOnly);
      const merged = await temporaryFolder();
      await writeByteTokenizer(merged, { trainingText: TRAINING_TEXT, vocabSize: 400 });
      const byteLength = Buffer.byteLength(text);
      for (const folder of [bytesOnly, merged]) {
        const tokenizer = await ModelTokenizer.open(folder, CONFIG);
        const ids = tokenizer.encode(text);
        expect(ids[0]).toBe(BOS);
        expect(ids.length - 1).toBeLessThanOrEqual(byteLength);
        expect(tokenizer.decode(ids.slice(1))).toBe(text);
        expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe(text);
      }
      const mergedIds = (await ModelTokenizer.open(merged, CONFIG)).encode(text);
      expect(mergedIds.length - 1).toBeLessThan(byteLength);
    });

  it('learns the most frequent pair first and encodes with the learned merges', () => {
    const { tokenizer, vocabSize } = buildByteTokenizer({
      trainingText: 'abab abab',
      vocabSize: BYTE_TOKENIZER_BASE_SIZE + 10,
    });
    const model = (tokenizer as { model: { merges: string[][]; vocab: Record<string, number> } })
      .model;
    // 'abab' and 'Ġabab' (Ġ is the space byte): ab x4 first, then ab+ab x2, then Ġ+abab; then none.
    expect(model.merges).toEqual([
      ['a', 'b'],
      ['ab', 'ab'],
      ['Ġ', 'abab'],
    ]);
    expect(vocabSize).toBe(BYTE_TOKENIZER_BASE_SIZE + 3);
    expect(model.vocab['Ġabab']).toBe(BYTE_TOKENIZER_BASE_SIZE + 2);
  });

  it('stops learning at the vocabulary size it is given', async () => {
    const files = buildByteTokenizer({ trainingText: TRAINING_TEXT, vocabSize: 300 });
    expect(files.vocabSize).toBe(300);
    expect(() => buildByteTokenizer({ vocabSize: 100 })).toThrow(/at least 259 tokens, not 100/);
    const folder = await temporaryFolder();
    await writeByteTokenizer(folder, { trainingText: TRAINING_TEXT, vocabSize: 300 });
    const tokenizer = await ModelTokenizer.open(folder, CONFIG);
    expect(Math.max(...tokenizer.encode(TRAINING_TEXT))).toBeLessThan(300);
    expect(tokenizer.decode(tokenizer.encode(TRAINING_TEXT).slice(1))).toBe(TRAINING_TEXT);
  });
});

describe('ModelTokenizer', () => {
  it('decodes model ids the tokenizer lacks to nothing and refuses ids outside the model', async () => {
    const folder = await temporaryFolder();
    await writeByteTokenizer(folder);
    const tokenizer = await ModelTokenizer.open(folder, CONFIG);
    expect(tokenizer.decode([BYTE(0x61), 350, BYTE(0x62)])).toBe('ab');
    expect(tokenizer.decode([])).toBe('');
    expect(() => tokenizer.decode([400])).toThrow(/token id 400 is outside the vocabulary/);
    expect(() => tokenizer.decode([-1])).toThrow(RangeError);
  });

  it('takes EOS ids from tokenizer_config.json, config.json and generation_config.json', async () => {
    const folder = await temporaryFolder();
    await writeByteTokenizer(folder);
    await writeFile(
      join(folder, 'generation_config.json'),
      JSON.stringify({ eos_token_id: [2, 7] }),
    );
    const config = parseModelConfig({ ...TINY_CONFIG, vocab_size: 400, eos_token_id: 5 }, 'c');
    expect((await ModelTokenizer.open(folder, config)).eosTokenIds).toEqual([2, 5, 7]);
    const tooLarge = parseModelConfig({ ...TINY_CONFIG, vocab_size: 400, eos_token_id: 400 }, 'c');
    expect((await openError(folder, tooLarge)).message).toBe(
      `${join(folder, 'config.json')}: eos_token_id 400 is outside the model's vocabulary (vocab_size 400)`,
    );
  });

  it("follows tokenizer_config.json's add_bos_token as transformers' Llama tokenizers do", async () => {
    const { tokenizer } = buildByteTokenizer();
    const withoutPostProcessor = { ...tokenizer, post_processor: null };
    const llama = { tokenizer_class: 'LlamaTokenizerFast', bos_token: '<s>', eos_token: '</s>' };
    const cases = [
      // LlamaTokenizerFast adds BOS by default even when tokenizer.json's post-processor does not.
      { json: withoutPostProcessor, config: llama, first: BOS },
      { json: tokenizer, config: { ...llama, add_bos_token: false }, first: BYTE(0x78) },
      // Other classes keep tokenizer.json's post-processor unless told to add a token.
      { json: withoutPostProcessor, config: { bos_token: '<s>' }, first: BYTE(0x78) },
      { json: tokenizer, config: { add_bos_token: false }, first: BOS },
      { json: withoutPostProcessor, config: { bos_token: '<s>', add_bos_token: true }, first: BOS },
    ];
    for (const { json, config, first } of cases) {
      const folder = await folderWith({ 'tokenizer.json': json, 'tokenizer_config.json': config });
      const ids = (await ModelTokenizer.open(folder, CONFIG)).encode('x');
      expect(ids[0]).toBe(first);
    }
    const eos = await folderWith({
      'tokenizer.json': withoutPostProcessor,
      'tokenizer_config.json': { ...llama, add_eos_token: true },
    });
    expect((await ModelTokenizer.open(eos, CONFIG)).encode('x')).toEqual([BOS, BYTE(0x78), 2]);
  });

  it('opens without tokenizer_config.json, the post-processor deciding', async () => {
    const { tokenizer } = buildByteTokenizer();
    const folder = await folderWith({ 'tokenizer.json': tokenizer });
    const opened = await ModelTokenizer.open(folder, CONFIG);
    expect(opened.bosTokenId).toBeUndefined();
    expect(opened.eosTokenIds).toEqual([]);
    expect(opened.encode('x')).toEqual([BOS, BYTE(0x78)]);
  });
});

describe('malformed tokenizer files', () => {
  const { tokenizer: valid, tokenizerConfig } = buildByteTokenizer();
  const model = (valid as { model: Record<string, unknown> }).model;
  const cases: {
    name: string;
    files: Record<string, unknown>;
    file: string;
    problem: string;
    config?: typeof CONFIG;
  }[] = [
    { name: 'missing', files: {}, file: 'tokenizer.json', problem: 'file not found' },
    {
      name: 'not JSON',
      files: { 'tokenizer.json': '{"model": ' },
      file: 'tokenizer.json',
      problem: 'not valid JSON',
    },
    {
      name: 'not an object',
      files: { 'tokenizer.json': [1, 2] },
      file: 'tokenizer.json',
      problem: 'Invalid input: expected object, received array',
    },
    {
      name: 'no model',
      files: { 'tokenizer.json': { ...valid, model: undefined } },
      file: 'tokenizer.json',
      problem: 'model: Invalid input: expected object, received undefined',
    },
    {
      name: 'an unsupported model type',
      files: { 'tokenizer.json': { ...valid, model: { ...model, type: 'WordLevel' } } },
      file: 'tokenizer.json',
      problem: 'model.type: type "WordLevel" is not supported (supported: BPE, WordPiece, Unigram)',
    },
    {
      name: 'a negative token id',
      files: { 'tokenizer.json': { ...valid, model: { ...model, vocab: { a: -1 } } } },
      file: 'tokenizer.json',
      problem: 'model.vocab.a: Too small: expected number to be >=0',
    },
    {
      name: 'an added token without an id',
      files: { 'tokenizer.json': { ...valid, added_tokens: [{ content: '<s>' }] } },
      file: 'tokenizer.json',
      problem: 'added_tokens.0.id: Invalid input: expected number, received undefined',
    },
    {
      name: 'an unknown pre-tokenizer',
      files: { 'tokenizer.json': { ...valid, pre_tokenizer: { type: 'Shout' } } },
      file: 'tokenizer.json',
      problem: 'Unknown PreTokenizer type: Shout',
    },
    {
      name: 'token ids past vocab_size',
      files: { 'tokenizer.json': valid },
      config: parseModelConfig({ ...TINY_CONFIG, vocab_size: 258 }, 'config.json'),
      file: 'tokenizer.json',
      problem: "token id 258 is outside the model's vocabulary (config.json vocab_size 258)",
    },
    {
      name: 'a malformed tokenizer_config.json',
      files: { 'tokenizer.json': valid, 'tokenizer_config.json': { add_bos_token: 'yes' } },
      file: 'tokenizer_config.json',
      problem: 'add_bos_token: Invalid input: expected boolean, received string',
    },
    {
      name: 'a bos_token the vocabulary lacks',
      files: {
        'tokenizer.json': valid,
        'tokenizer_config.json': { ...tokenizerConfig, bos_token: { content: '<|begin|>' } },
      },
      file: 'tokenizer_config.json',
      problem: 'bos_token "<|begin|>" is not in',
    },
    {
      name: 'add_bos_token without a bos_token',
      files: {
        'tokenizer.json': valid,
        'tokenizer_config.json': { tokenizer_class: 'LlamaTokenizerFast' },
      },
      file: 'tokenizer_config.json',
      problem: 'add_bos_token is true but no bos_token is named',
    },
  ];
  for (const { name, files, file, problem, config } of cases)
    it(`refuses ${name}, naming ${file}`, async () => {
      const folder = await folderWith(files);
      const error = await openError(folder, config);
      expect(error.file).toBe(join(folder, file));
      expect(error.problem).toContain(problem);
      expect(error.message.split('\n')).toHaveLength(1);
    });
});
