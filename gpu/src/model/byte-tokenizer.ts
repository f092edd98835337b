import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from './atomic-write.ts';
import { ByteLevelPreTokenizer } from './hf-tokenizers.ts';
import { TOKENIZER_CONFIG_FILE, TOKENIZER_FILE } from './tokenizer.ts';

/** Special tokens, at ids 0, 1 and 2 as in Llama 2; the 256 byte tokens follow them. */
export const BYTE_TOKENIZER_SPECIALS = { unk: '<unk>', bos: '<s>', eos: '</s>' } as const;
const SPECIALS = Object.values(BYTE_TOKENIZER_SPECIALS);

/** The smallest vocabulary a byte tokenizer has: its specials and one token per byte. */
export const BYTE_TOKENIZER_BASE_SIZE = SPECIALS.length + 256;

/**
 * GPT-2's map from bytes to printable characters, which byte-level BPE vocabularies are written
 * in: printable Latin-1 bytes stand for themselves, the rest take characters from U+0100 on.
 */
export function bytesToUnicode(): string[] {
  const printable = (byte: number) =>
    (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || byte >= 0xae;
  let next = 256;
  return Array.from({ length: 256 }, (_, byte) =>
    String.fromCharCode(printable(byte) ? byte : next++),
  );
}

/** The GPT-2 / Llama 3 style byte-level pre-tokenizer: the GPT-2 split regex, then bytes as characters. */
export const BYTE_LEVEL_PRE_TOKENIZER = {
  type: 'ByteLevel',
  add_prefix_space: false,
  trim_offsets: true,
  use_regex: true,
} as const;

/** An entry of tokenizer.json's `added_tokens`: a special token, matched whole, never split. */
export function specialTokenJson(id: number, content: string) {
  return {
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  };
}

/** tokenizer.json's `model`: a plain BPE over `vocab` (token -> id) and its `merges`, in order. */
export function bpeModelJson(
  vocab: Iterable<readonly [string, number]>,
  merges: readonly unknown[],
  unkToken: string | null,
) {
  return {
    type: 'BPE',
    dropout: null,
    unk_token: unkToken,
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: false,
    vocab: Object.fromEntries(vocab),
    merges,
  };
}

export interface ByteTokenizerOptions {
  /** Text to learn merges from; without it the tokenizer has bytes only. */
  readonly trainingText?: string;
  /** Stop learning merges once the vocabulary has this many tokens. */
  readonly vocabSize?: number;
}

export interface ByteTokenizerFiles {
  /** tokenizer.json */
  readonly tokenizer: object;
  /** tokenizer_config.json */
  readonly tokenizerConfig: object;
  readonly vocabSize: number;
}

interface Word {
  symbols: string[];
  readonly count: number;
}

function pairCounts(words: readonly Word[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { symbols, count } of words)
    for (let index = 0; index + 1 < symbols.length; index++) {
      const key = `${symbols[index]} ${symbols[index + 1]}`;
      counts.set(key, (counts.get(key) ?? 0) + count);
    }
  return counts;
}

/** The most frequent pair; ties go to the smallest key, so training is deterministic. */
function mostFrequent(counts: ReadonlyMap<string, number>): string | undefined {
  let best: string | undefined;
  let bestCount = 0;
  for (const [key, count] of counts)
    if (count > bestCount || (count === bestCount && best !== undefined && key < best)) {
      best = key;
      bestCount = count;
    }
  return best;
}

function applyMerge(symbols: string[], left: string, right: string): string[] {
  const merged: string[] = [];
  for (let index = 0; index < symbols.length; index++)
    if (symbols[index] === left && symbols[index + 1] === right) {
      merged.push(left + right);
      index++;
    } else merged.push(symbols[index]!);
  return merged;
}

/**
 * Learns byte-level BPE merges from `text` until `vocab` holds `vocabSize` tokens or no pair is
 * left. Pre-tokenizes with tokenizers.js's own ByteLevel, so training splits text the way
 * encoding will. Recounts pairs every merge: meant for small corpora and vocabularies.
 */
function learnMerges(text: string, vocab: Map<string, number>, vocabSize: number): string[][] {
  const preTokenize = new ByteLevelPreTokenizer(BYTE_LEVEL_PRE_TOKENIZER);
  const wordCounts = new Map<string, number>();
  for (const word of preTokenize.pre_tokenize_text(text))
    wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
  const words: Word[] = [...wordCounts].map(([word, count]) => ({
    symbols: Array.from(word),
    count,
  }));
  const merges: string[][] = [];
  while (vocab.size < vocabSize) {
    const best = mostFrequent(pairCounts(words));
    if (best === undefined) break;
    const [left, right] = best.split(' ') as [string, string];
    merges.push([left, right]);
    if (!vocab.has(left + right)) vocab.set(left + right, vocab.size);
    for (const word of words) word.symbols = applyMerge(word.symbols, left, right);
  }
  return merges;
}

/**
 * A byte-level BPE tokenizer in Hugging Face's tokenizer.json format: any text encodes (every
 * byte has a token), BOS is added by a TemplateProcessing post-processor, EOS ends generation.
 */
export function buildByteTokenizer(options: ByteTokenizerOptions = {}): ByteTokenizerFiles {
  const vocabSize = options.vocabSize ?? BYTE_TOKENIZER_BASE_SIZE;
  if (!Number.isInteger(vocabSize) || vocabSize < BYTE_TOKENIZER_BASE_SIZE)
    throw new RangeError(
      `a byte tokenizer needs a vocabulary of at least ${BYTE_TOKENIZER_BASE_SIZE} tokens, not ${vocabSize}`,
    );
  const vocab = new Map<string, number>(SPECIALS.map((token, id) => [token, id]));
  for (const character of bytesToUnicode()) vocab.set(character, vocab.size);
  const merges = options.trainingText ? learnMerges(options.trainingText, vocab, vocabSize) : [];
  const bosId = vocab.get(BYTE_TOKENIZER_SPECIALS.bos)!;
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((content, id) => specialTokenJson(id, content)),
    normalizer: null,
    pre_tokenizer: BYTE_LEVEL_PRE_TOKENIZER,
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: BYTE_TOKENIZER_SPECIALS.bos, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: BYTE_TOKENIZER_SPECIALS.bos, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: BYTE_TOKENIZER_SPECIALS.bos, type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: {
        [BYTE_TOKENIZER_SPECIALS.bos]: {
          id: BYTE_TOKENIZER_SPECIALS.bos,
          ids: [bosId],
          tokens: [BYTE_TOKENIZER_SPECIALS.bos],
        },
      },
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: bpeModelJson(vocab, merges, BYTE_TOKENIZER_SPECIALS.unk),
  };
  const tokenizerConfig = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: BYTE_TOKENIZER_SPECIALS.bos,
    eos_token: BYTE_TOKENIZER_SPECIALS.eos,
    unk_token: BYTE_TOKENIZER_SPECIALS.unk,
    add_bos_token: true,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
  };
  return { tokenizer, tokenizerConfig, vocabSize: vocab.size };
}

async function writeJson(path: string, value: object): Promise<void> {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  await writeFileAtomically(path, (handle) => handle.writeFile(text));
}

/** Writes tokenizer.json and tokenizer_config.json of a byte tokenizer into `directory`. */
export async function writeByteTokenizer(
  directory: string,
  options: ByteTokenizerOptions = {},
): Promise<ByteTokenizerFiles> {
  const files = buildByteTokenizer(options);
  await mkdir(directory, { recursive: true });
  await writeJson(join(directory, TOKENIZER_FILE), files.tokenizer);
  await writeJson(join(directory, TOKENIZER_CONFIG_FILE), files.tokenizerConfig);
  return files;
}
