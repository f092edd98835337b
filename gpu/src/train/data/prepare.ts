import { mkdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { writeFileAtomically } from '../../model/atomic-write.ts';
import { readBrownCorpus, type BrownDocument } from './brown-corpus.ts';
import {
  checkVocabSize,
  DEFAULT_VOCAB_SIZE,
  END_OF_TEXT,
  trainByteLevelBpe,
  writeTokenizerFiles,
} from './bpe-tokenizer.ts';
import { openLabTokenizer } from './lab-tokenizer.ts';
import { readModelConfig } from '../../model/config.ts';
import { ModelTokenizer, TOKENIZER_FILE } from '../../model/tokenizer.ts';
import { assignSplits, SPLITS, type SplitName } from './split.ts';
import { readTokenStream, sha256, TOKEN_CACHE_FORMAT, writeTokenStream } from './token-cache.ts';
import { countWords, packDocuments } from './token-stream.ts';

export const DEFAULT_DATA_DIRECTORY = '.lab/data';
/** Token caches store ids as 16 bits. */
const MAX_CACHED_TOKEN_ID = 0xffff;

export interface PrepareBrownDataOptions {
  /** Where the tokenizer and token caches live (default .lab/data, git-ignored). */
  readonly dir?: string;
  /** 512 to 16,384; default 4096. */
  readonly vocabSize?: number;
  /** Reports what is being built (tokenizer training, tokenising a split). */
  readonly log?: (message: string) => void;
}

export type PerSplit<T> = Readonly<Record<SplitName, T>>;

export interface BrownData {
  /** The folder holding tokenizer.json and tokenizer_config.json. */
  readonly tokenizerDirectory: string;
  readonly tokenizerPath: string;
  readonly tokenizerSha256: string;
  readonly vocabSize: number;
  readonly endOfTextId: number;
  /** Each split's packed token stream (see packDocuments). */
  readonly splits: PerSplit<Uint16Array>;
  readonly wordsPerSplit: PerSplit<number>;
  readonly documentsPerSplit: PerSplit<readonly string[]>;
  /** Milliseconds the tokenizer took to train, when this call trained it. */
  readonly tokenizerTrainingMs?: number;
}

const trainingRecordSchema = z.object({
  format: z.string(),
  vocabSize: z.int(),
  trainingDocuments: z.int(),
  trainingMs: z.number(),
});

const TRAINING_RECORD = 'training.json';

async function readTrainingRecord(directory: string) {
  try {
    return trainingRecordSchema.parse(
      JSON.parse(await readFile(join(directory, TRAINING_RECORD), 'utf8')),
    );
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Trains the tokenizer on the train split unless `directory` already holds this one. */
async function ensureTokenizer(
  directory: string,
  vocabSize: number,
  trainTexts: readonly string[],
  log: (message: string) => void,
): Promise<number | undefined> {
  const record = await readTrainingRecord(directory);
  if (
    record?.format === TOKEN_CACHE_FORMAT &&
    record.vocabSize === vocabSize &&
    record.trainingDocuments === trainTexts.length &&
    (await exists(join(directory, 'tokenizer.json')))
  )
    return undefined;
  log(`training a ${vocabSize}-token byte-level BPE on ${trainTexts.length} documents`);
  const started = performance.now();
  const trained = await trainByteLevelBpe(trainTexts, vocabSize);
  const trainingMs = performance.now() - started;
  await writeTokenizerFiles(directory, trained);
  const text = `${JSON.stringify({ format: TOKEN_CACHE_FORMAT, vocabSize, trainingDocuments: trainTexts.length, trainingMs }, null, 2)}\n`;
  await writeFileAtomically(join(directory, TRAINING_RECORD), (handle) => handle.writeFile(text));
  return trainingMs;
}

/**
 * The Brown corpus ready to train on: a byte-level BPE trained on the train split (kept in
 * `<dir>/brown-bpe-<vocabSize>/`) and each split tokenised through the lab's loader into one
 * stream, cached beside the tokenizer and rebuilt when the tokenizer changes.
 */
export async function prepareBrownData(options: PrepareBrownDataOptions = {}): Promise<BrownData> {
  const vocabSize = options.vocabSize ?? DEFAULT_VOCAB_SIZE;
  checkVocabSize(vocabSize);
  const log = options.log ?? (() => undefined);
  const directory = resolve(options.dir ?? DEFAULT_DATA_DIRECTORY, `brown-bpe-${vocabSize}`);

  const { documentsOf } = await brownDocuments();
  const tokenizerTrainingMs = await ensureTokenizer(
    directory,
    vocabSize,
    documentsOf('train').map(({ text }) => text),
    log,
  );

  const tokenizer = await openLabTokenizer(directory, vocabSize);
  const endOfTextId = tokenizer.encode(END_OF_TEXT)[0]!;
  const tokenised = await tokeniseSplits(directory, directory, tokenizer, endOfTextId, {
    documentsOf,
    log,
  });
  return {
    ...tokenised,
    vocabSize,
    ...(tokenizerTrainingMs === undefined ? {} : { tokenizerTrainingMs }),
  };
}

/**
 * The Brown corpus tokenised by the tokenizer of the model in `modelDirectory` (for fine-tuning
 * and evaluating a model that brings its own tokenizer), cached in
 * `<dir>/brown-<tokenizer hash>/`. Token ids must fit 16 bits, as in every token cache.
 */
export async function prepareBrownDataForModel(
  modelDirectory: string,
  options: Omit<PrepareBrownDataOptions, 'vocabSize'> = {},
): Promise<BrownData> {
  const log = options.log ?? (() => undefined);
  const config = await readModelConfig(join(modelDirectory, 'config.json'));
  if (config.vocab_size > MAX_CACHED_TOKEN_ID + 1)
    throw new Error(
      `the model in ${modelDirectory} has ${config.vocab_size} tokens; the lab's token caches ` +
        `hold ids below ${MAX_CACHED_TOKEN_ID + 1}: use a model with a smaller vocabulary`,
    );
  const tokenizer = await ModelTokenizer.open(modelDirectory, config);
  const hash = sha256(await readFile(join(modelDirectory, TOKENIZER_FILE))).slice(0, 16);
  const directory = resolve(options.dir ?? DEFAULT_DATA_DIRECTORY, `brown-${hash}`);
  const endOfTextId = tokenizer.eosTokenIds[0];
  if (endOfTextId === undefined)
    throw new Error(
      `the tokenizer of ${modelDirectory} names no end-of-text token (eos_token in ` +
        'tokenizer_config.json or eos_token_id in config.json), which separates documents',
    );
  const { documentsOf } = await brownDocuments();
  const tokenised = await tokeniseSplits(modelDirectory, directory, tokenizer, endOfTextId, {
    documentsOf,
    log,
  });
  return { ...tokenised, vocabSize: config.vocab_size };
}

/** The text of every document of one split of the Brown corpus, in name order. */
export async function brownSplitTexts(split: SplitName): Promise<string[]> {
  const { documentsOf } = await brownDocuments();
  return documentsOf(split).map(({ text }) => text);
}

async function brownDocuments() {
  const documents = await readBrownCorpus();
  const assignment = assignSplits(documents.map(({ id }) => id));
  const documentsOf = (split: SplitName): BrownDocument[] =>
    documents.filter(({ id }) => assignment.get(id) === split);
  return { documentsOf };
}

/** Each split through `tokenizer` into one stream, cached in `cacheDirectory`. */
async function tokeniseSplits(
  tokenizerDirectory: string,
  cacheDirectory: string,
  tokenizer: ModelTokenizer,
  endOfTextId: number,
  {
    documentsOf,
    log,
  }: { documentsOf: (split: SplitName) => BrownDocument[]; log: (message: string) => void },
): Promise<Omit<BrownData, 'vocabSize' | 'tokenizerTrainingMs'>> {
  await mkdir(cacheDirectory, { recursive: true });
  const tokenizerPath = join(tokenizerDirectory, TOKENIZER_FILE);
  const tokenizerSha256 = sha256(await readFile(tokenizerPath));
  const splits = {} as Record<SplitName, Uint16Array>;
  const wordsPerSplit = {} as Record<SplitName, number>;
  for (const split of SPLITS) {
    const members = documentsOf(split);
    const cached = await readTokenStream(cacheDirectory, split, tokenizerSha256);
    if (cached !== undefined && cached.header.documents === members.length) {
      splits[split] = cached.tokens;
      wordsPerSplit[split] = cached.header.words;
      continue;
    }
    log(`tokenising the ${split} split (${members.length} documents)`);
    const tokens = packDocuments(
      members.map(({ text }) => tokenizer.encode(text)),
      endOfTextId,
    );
    const words = members.reduce((sum, { text }) => sum + countWords(text), 0);
    await writeTokenStream(cacheDirectory, split, tokens, {
      documents: members.length,
      words,
      tokenizerSha256,
    });
    splits[split] = tokens;
    wordsPerSplit[split] = words;
  }
  const documentsPerSplit = Object.fromEntries(
    SPLITS.map((split) => [split, documentsOf(split).map(({ id }) => id)]),
  ) as Record<SplitName, string[]>;
  return {
    tokenizerDirectory,
    tokenizerPath,
    tokenizerSha256,
    endOfTextId,
    splits,
    wordsPerSplit,
    documentsPerSplit,
  };
}
