import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tokenizers from 'tokenizers';
import { z } from 'zod';
import { writeFileAtomically } from '../../model/atomic-write.ts';
import {
  BYTE_LEVEL_PRE_TOKENIZER,
  bpeModelJson,
  bytesToUnicode,
  specialTokenJson,
} from '../../model/byte-tokenizer.ts';

/** The special token written between documents (and at both ends of a split's token stream). */
export const END_OF_TEXT = '<|endoftext|>';

export const DEFAULT_VOCAB_SIZE = 4096;
/** Token streams are stored as uint16; the library's default trainer stops at 30,000 tokens. */
export const MIN_VOCAB_SIZE = 512;
export const MAX_VOCAB_SIZE = 16_384;

export function checkVocabSize(vocabSize: number): void {
  if (!Number.isInteger(vocabSize) || vocabSize < MIN_VOCAB_SIZE || vocabSize > MAX_VOCAB_SIZE)
    throw new RangeError(
      `vocabSize ${vocabSize} is out of range: give an integer from ${MIN_VOCAB_SIZE} to ${MAX_VOCAB_SIZE} (default ${DEFAULT_VOCAB_SIZE})`,
    );
}

const trainedSchema = z.looseObject({
  model: z.looseObject({
    merges: z.array(z.union([z.tuple([z.string(), z.string()]), z.string()])),
  }),
});

/** The merges the library learns, most frequent first, whatever vocabulary size it stopped at. */
async function learnMerges(texts: readonly string[]): Promise<[string, string][]> {
  const folder = await mkdtemp(join(tmpdir(), 'factorlab-bpe-'));
  try {
    const textFile = join(folder, 'train.txt');
    await writeFile(textFile, texts.join('\n\n'));
    const tokenizer = new tokenizers.Tokenizer(tokenizers.BPE.empty());
    tokenizer.setPreTokenizer(tokenizers.byteLevelPreTokenizer(false, true));
    // The Node bindings take no trainer options: the default trainer learns 30,000 tokens, and
    // BPE's merges come out in the order they were learned, so a smaller vocabulary is a prefix.
    tokenizer.train([textFile]);
    const trainedFile = join(folder, 'trained.json');
    tokenizer.save(trainedFile);
    const trained = trainedSchema.parse(JSON.parse(await readFile(trainedFile, 'utf8')));
    return trained.model.merges.map((merge) => {
      if (typeof merge !== 'string') return merge;
      const space = merge.indexOf(' ', 1);
      return [merge.slice(0, space), merge.slice(space + 1)];
    });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

export interface TrainedTokenizer {
  /** tokenizer.json's content. */
  readonly tokenizerJson: object;
  /** tokenizer_config.json's content: END_OF_TEXT is the EOS (and BOS) token; nothing is added. */
  readonly tokenizerConfig: object;
  readonly endOfTextId: number;
}

/**
 * A byte-level BPE of exactly `vocabSize` tokens learned from `texts`: ids 0-255 are the bytes (so
 * no byte is ever dropped), learned tokens follow in the order they were learned, END_OF_TEXT is
 * the last id. GPT-2's pre-tokenizer and a ByteLevel decoder, in Hugging Face's format.
 */
export async function trainByteLevelBpe(
  texts: readonly string[],
  vocabSize = DEFAULT_VOCAB_SIZE,
): Promise<TrainedTokenizer> {
  checkVocabSize(vocabSize);
  const vocab = new Map(bytesToUnicode().map((symbol, byte) => [symbol, byte]));
  const endOfTextId = vocabSize - 1;
  const merges: [string, string][] = [];
  for (const [left, right] of await learnMerges(texts)) {
    if (vocab.size === endOfTextId) break;
    merges.push([left, right]);
    // Two merges can make the same token (a+bc, ab+c); it is one vocabulary entry.
    if (!vocab.has(left + right)) vocab.set(left + right, vocab.size);
  }
  if (vocab.size < endOfTextId)
    throw new Error(
      `the training text yields only ${vocab.size + 1} tokens, fewer than vocabSize ${vocabSize}: give a smaller vocabSize or more text`,
    );
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [specialTokenJson(endOfTextId, END_OF_TEXT)],
    normalizer: null,
    pre_tokenizer: BYTE_LEVEL_PRE_TOKENIZER,
    post_processor: null,
    decoder: BYTE_LEVEL_PRE_TOKENIZER,
    model: bpeModelJson(vocab, merges, null),
  };
  const tokenizerConfig = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: END_OF_TEXT,
    eos_token: END_OF_TEXT,
    add_bos_token: false,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
  };
  return { tokenizerJson, tokenizerConfig, endOfTextId };
}

/** Writes tokenizer.json and tokenizer_config.json into `directory`, each atomically. */
export async function writeTokenizerFiles(
  directory: string,
  trained: TrainedTokenizer,
): Promise<{ tokenizerPath: string; tokenizerConfigPath: string }> {
  await mkdir(directory, { recursive: true });
  const tokenizerPath = join(directory, 'tokenizer.json');
  const tokenizerConfigPath = join(directory, 'tokenizer_config.json');
  for (const [path, content] of [
    [tokenizerPath, trained.tokenizerJson],
    [tokenizerConfigPath, trained.tokenizerConfig],
  ] as const) {
    const text = `${JSON.stringify(content, null, 2)}\n`;
    await writeFileAtomically(path, (handle) => handle.writeFile(text));
  }
  return { tokenizerPath, tokenizerConfigPath };
}
