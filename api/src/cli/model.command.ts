import { readdir } from 'node:fs/promises';
import {
  readModelConfig,
  randomCheckpointEntries,
  writeCheckpoint,
  type ModelConfig,
  type SafetensorsDType,
} from '@factorlab/gpu';
import { fail } from './fail.ts';

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

/** `lab init-model`: a randomly initialised checkpoint of a config, in Hugging Face layout. */
export async function initModelCommand(options: InitModelOptions): Promise<void> {
  if (!Object.hasOwn(DTYPES, options.dtype))
    fail(`--dtype ${options.dtype}: must be one of ${Object.keys(DTYPES).join(', ')}`);
  const dtype = DTYPES[options.dtype as keyof typeof DTYPES];
  if (!(await isEmptyOrAbsent(options.out)))
    fail(`${options.out}: not empty; init-model writes only into a new or empty folder`);
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
}
