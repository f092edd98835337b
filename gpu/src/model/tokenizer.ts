import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ModelConfig } from './config.ts';
import { Tokenizer, type HfTokenizer } from './hf-tokenizers.ts';
import { readJsonFile } from './json-file.ts';
import { ModelFileError } from './model-file-error.ts';

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
export const GENERATION_CONFIG_FILE = 'generation_config.json';

const SUPPORTED_MODELS = ['BPE', 'WordPiece', 'Unigram'] as const;

const tokenId = z.int().nonnegative();

const addedTokenSchema = z.looseObject({ id: tokenId, content: z.string() });

/** What tokenizers.js would otherwise fail on with a TypeError instead of a reason. */
const tokenizerJsonSchema = z.looseObject({
  added_tokens: z.array(addedTokenSchema).default([]),
  model: z.looseObject({
    type: z.enum(SUPPORTED_MODELS, {
      error: (issue) =>
        `type ${JSON.stringify(issue.input)} is not supported (supported: ${SUPPORTED_MODELS.join(', ')})`,
    }),
    vocab: z.union([z.record(z.string(), tokenId), z.array(z.tuple([z.string(), z.number()]))]),
    merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])).optional(),
  }),
});

/** transformers saves special tokens as strings or as AddedToken objects. */
const specialTokenSchema = z
  .union([z.string(), z.looseObject({ content: z.string() })])
  .nullable()
  .optional()
  .transform((token) => (typeof token === 'object' && token !== null ? token.content : token));

const tokenizerConfigSchema = z.looseObject({
  tokenizer_class: z.string().optional(),
  bos_token: specialTokenSchema,
  eos_token: specialTokenSchema,
  add_bos_token: z.boolean().optional(),
  add_eos_token: z.boolean().optional(),
  clean_up_tokenization_spaces: z.boolean().optional(),
});

type TokenizerConfig = z.output<typeof tokenizerConfigSchema>;

const eosTokenIdSchema = z.looseObject({
  eos_token_id: z
    .union([tokenId, z.array(tokenId)])
    .nullable()
    .optional(),
});

/** The Llama tokenizer classes rebuild their post-processor from add_bos_token/add_eos_token. */
const LLAMA_TOKENIZER_CLASS = /^(Code)?LlamaTokenizer(Fast)?$/;

/** Which special tokens to put around a prompt, where tokenizer_config.json decides rather than tokenizer.json. */
interface SpecialTokenPolicy {
  readonly addBos: boolean;
  readonly addEos: boolean;
}

/**
 * transformers' LlamaTokenizerFast ignores tokenizer.json's post-processor and adds BOS unless
 * add_bos_token is false; other fast tokenizers rebuild it only when add_bos_token or
 * add_eos_token is set true, and otherwise keep tokenizer.json's.
 */
function specialTokenPolicy(config: TokenizerConfig): SpecialTokenPolicy | undefined {
  if (LLAMA_TOKENIZER_CLASS.test(config.tokenizer_class ?? ''))
    return { addBos: config.add_bos_token ?? true, addEos: config.add_eos_token ?? false };
  if (config.add_bos_token === true || config.add_eos_token === true)
    return { addBos: config.add_bos_token ?? false, addEos: config.add_eos_token ?? false };
  return undefined;
}

function parseWith<Schema extends z.ZodType>(
  schema: Schema,
  json: unknown,
  file: string,
): z.output<Schema> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.');
  throw new ModelFileError(file, field ? `${field}: ${issue.message}` : issue.message);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function largestId(json: z.output<typeof tokenizerJsonSchema>): number {
  const { vocab } = json.model;
  const vocabIds = Array.isArray(vocab) ? [vocab.length - 1] : Object.values(vocab);
  return Math.max(-1, ...vocabIds, ...json.added_tokens.map(({ id }) => id));
}

export interface DecodeOptions {
  /** Leave out special tokens such as BOS and EOS, as transformers' skip_special_tokens does. */
  readonly skipSpecialTokens?: boolean;
}

/** A checkpoint's tokenizer: tokenizer.json, with tokenizer_config.json's special-token settings. */
export class ModelTokenizer {
  private constructor(
    private readonly tokenizer: HfTokenizer,
    private readonly file: string,
    private readonly vocabSize: number,
    private readonly policy: SpecialTokenPolicy | undefined,
    readonly bosTokenId: number | undefined,
    readonly eosTokenIds: readonly number[],
  ) {}

  /**
   * Loads the tokenizer of the checkpoint folder `directory`, whose model has `config`. EOS ids
   * are tokenizer_config.json's eos_token and every eos_token_id of config.json and
   * generation_config.json, as transformers' generate stops on any of them.
   */
  static async open(directory: string, config: ModelConfig): Promise<ModelTokenizer> {
    const file = join(directory, TOKENIZER_FILE);
    const json = parseWith(tokenizerJsonSchema, await readJsonFile(file), file);
    const largest = largestId(json);
    if (largest >= config.vocab_size)
      throw new ModelFileError(
        file,
        `token id ${largest} is outside the model's vocabulary (config.json vocab_size ${config.vocab_size})`,
      );

    const configFile = join(directory, TOKENIZER_CONFIG_FILE);
    const tokenizerConfig = (await exists(configFile))
      ? parseWith(tokenizerConfigSchema, await readJsonFile(configFile), configFile)
      : tokenizerConfigSchema.parse({});

    let tokenizer: HfTokenizer;
    try {
      tokenizer = new Tokenizer(
        // tokenizers.js demands every component key; Hugging Face's reader treats absent as none.
        { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, ...json },
        {
          ...tokenizerConfig,
          // transformers' default since 4.45; tokenizers.js would tidy spaces around punctuation.
          clean_up_tokenization_spaces: tokenizerConfig.clean_up_tokenization_spaces ?? false,
        },
      );
    } catch (error) {
      throw new ModelFileError(file, error instanceof Error ? error.message : String(error));
    }

    const idOf = (token: string, source: string, name: string) => {
      const id = tokenizer.token_to_id(token);
      if (id === undefined)
        throw new ModelFileError(source, `${name} ${JSON.stringify(token)} is not in ${file}`);
      return id;
    };
    const bosTokenId =
      tokenizerConfig.bos_token == null
        ? undefined
        : idOf(tokenizerConfig.bos_token, configFile, 'bos_token');
    const policy = specialTokenPolicy(tokenizerConfig);
    if (policy?.addBos && bosTokenId === undefined)
      throw new ModelFileError(configFile, 'add_bos_token is true but no bos_token is named');
    const eosTokenIds = new Set<number>();
    if (tokenizerConfig.eos_token != null)
      eosTokenIds.add(idOf(tokenizerConfig.eos_token, configFile, 'eos_token'));
    if (policy?.addEos && eosTokenIds.size === 0)
      throw new ModelFileError(configFile, 'add_eos_token is true but no eos_token is named');
    for (const source of [
      { file: join(directory, 'config.json'), json: config as unknown },
      ...((await exists(join(directory, GENERATION_CONFIG_FILE)))
        ? [
            {
              file: join(directory, GENERATION_CONFIG_FILE),
              json: await readJsonFile(join(directory, GENERATION_CONFIG_FILE)),
            },
          ]
        : []),
    ]) {
      const ids = parseWith(eosTokenIdSchema, source.json, source.file).eos_token_id ?? [];
      for (const id of Array.isArray(ids) ? ids : [ids]) {
        if (id >= config.vocab_size)
          throw new ModelFileError(
            source.file,
            `eos_token_id ${id} is outside the model's vocabulary (vocab_size ${config.vocab_size})`,
          );
        eosTokenIds.add(id);
      }
    }
    return new ModelTokenizer(tokenizer, file, config.vocab_size, policy, bosTokenId, [
      ...eosTokenIds,
    ]);
  }

  /** Token ids of a prompt, with the special tokens transformers would add to it. */
  encode(text: string): number[] {
    const ids = this.policy
      ? [
          ...(this.policy.addBos ? [this.bosTokenId!] : []),
          ...this.tokenizer.encode(text, { add_special_tokens: false }).ids,
          ...(this.policy.addEos ? [this.eosTokenIds[0]!] : []),
        ]
      : this.tokenizer.encode(text).ids;
    // tokenizers.js yields undefined for a piece with no token when the model has no unk_token.
    if (!ids.every((id) => Number.isInteger(id)))
      throw new Error(`${this.file} has no token for part of ${JSON.stringify(text)}`);
    return ids;
  }

  /**
   * The text of `ids`. Ids the model has but the tokenizer lacks (the padding rows of an embedding
   * larger than the vocabulary) decode to nothing, as in Hugging Face's tokenizers.
   */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    for (const id of ids)
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize)
        throw new RangeError(
          `token id ${id} is outside the vocabulary (0 to ${this.vocabSize - 1})`,
        );
    const known = ids.filter((id) => this.tokenizer.id_to_token(id) !== undefined);
    if (known.length === 0) return '';
    return this.tokenizer.decode(known, {
      skip_special_tokens: options.skipSpecialTokens ?? false,
    });
  }

  /** The token string of `id`, or undefined when the tokenizer has none. */
  tokenOf(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }
}
