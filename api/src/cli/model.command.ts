import { readdir } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ModelConfig, SafetensorsDType } from '@factorlab/gpu';
import { fail } from './fail.ts';
import { integer } from './flags.ts';

const DTYPES = {
  f32: { safetensors: 'F32', torch: 'float32' },
  f16: { safetensors: 'F16', torch: 'float16' },
  bf16: { safetensors: 'BF16', torch: 'bfloat16' },
} as const satisfies Record<
  string,
  { safetensors: SafetensorsDType; torch: ModelConfig['torch_dtype'] }
>;

export interface InitModelOptions {
  config: string;
  out: string;
  seed: number;
  dtype: string;
}

async function isEmptyOrAbsent(directory: string): Promise<boolean> {
  try {
    return (await readdir(directory)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/**
 * `lab init-model`: a randomly initialised checkpoint of a config, in Hugging Face layout, with a
 * byte-level tokenizer beside it when the vocabulary has room for one.
 */
export async function initModelCommand(options: InitModelOptions): Promise<void> {
  if (!Object.hasOwn(DTYPES, options.dtype))
    fail(`--dtype ${options.dtype}: must be one of ${Object.keys(DTYPES).join(', ')}`);
  const dtype = DTYPES[options.dtype as keyof typeof DTYPES];
  if (!(await isEmptyOrAbsent(options.out)))
    fail(`${options.out}: not empty; init-model writes only into a new or empty folder`);
  const {
    BYTE_TOKENIZER_BASE_SIZE,
    readModelConfig,
    randomCheckpointEntries,
    writeByteTokenizer,
    writeCheckpoint,
  } = await import('@factorlab/gpu');
  const config = { ...(await readModelConfig(options.config)), torch_dtype: dtype.torch };
  const entries = randomCheckpointEntries(config, options.seed, dtype.safetensors);
  await writeCheckpoint(options.out, config, entries);
  const parameters = entries.reduce(
    (total, { shape }) => total + shape.reduce((product, dim) => product * dim, 1),
    0,
  );
  console.log(
    `wrote ${options.out}: ${entries.length} tensors, ${parameters} parameters (${options.dtype})`,
  );
  if (config.vocab_size >= BYTE_TOKENIZER_BASE_SIZE) {
    await writeByteTokenizer(options.out);
    console.log(`wrote ${options.out}: byte-level tokenizer, ${BYTE_TOKENIZER_BASE_SIZE} tokens`);
  } else
    console.log(
      `no tokenizer: vocab_size ${config.vocab_size} is under the byte tokenizer's ${BYTE_TOKENIZER_BASE_SIZE} tokens`,
    );
}

/** `lab init-model`. */
export function registerInitModel(program: Command): void {
  program
    .command('init-model')
    .description('write a randomly initialised checkpoint of a config.json, in Hugging Face layout')
    .requiredOption('--config <file>', 'a Llama, Mistral or Qwen2 config.json')
    .requiredOption('--out <dir>', 'a new or empty folder to write the checkpoint into')
    .option('--seed <n>', 'random seed', integer, 1)
    .option('--dtype <dtype>', 'f32, f16 or bf16', 'f32')
    .action(initModelCommand);
}
