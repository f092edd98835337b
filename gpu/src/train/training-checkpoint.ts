import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { ModelConfig } from '../model/config.ts';
import { SafetensorsFile } from '../model/safetensors/reader.ts';
import { writeSafetensors, type SafetensorsEntry } from '../model/safetensors/writer.ts';
import { encodeValues } from '../model/safetensors/dtype.ts';
import type { AdamWState } from '../optim/adamw.ts';
import type { BatchPosition } from './data/batch-loader.ts';
import type { ModelOptimizer, ModelOptimizerState } from './optimizer.ts';
import type { Parameters } from './parameters.ts';

export const CHECKPOINTS_FOLDER = 'checkpoints';
export const TRAINER_STATE_FILE = 'trainer-state.json';
export const OPTIMIZER_FILE = 'optimizer.safetensors';
const FORMAT = 'factorlab-trainer-state/1';
const STEP_FOLDER = /^step-(\d+)$/;

/** Everything besides weights and moments that a resumed run needs to continue exactly. */
export interface TrainerState {
  /** The last optimizer step whose effects the checkpoint holds. */
  step: number;
  loader: BatchPosition;
  tokensSeen: number;
  /** Training seconds up to this step, summed over every attempt. */
  trainingSeconds: number;
  /** The run's settings that decide its weights; a resume must match them. */
  settings: unknown;
}

const stateFileSchema = z.object({
  format: z.literal(FORMAT),
  step: z.int().nonnegative(),
  loader: z.object({
    split: z.enum(['train', 'validation', 'test']),
    sequenceLength: z.int().positive(),
    seed: z.int().nonnegative(),
    epoch: z.int().nonnegative(),
    cursor: z.int().nonnegative(),
  }),
  tokensSeen: z.number().nonnegative(),
  trainingSeconds: z.number().nonnegative(),
  settings: z.unknown(),
  optimizer: z.object({
    decayed: z.object({ names: z.array(z.string()), steps: z.int().nonnegative() }),
    undecayed: z.object({ names: z.array(z.string()), steps: z.int().nonnegative() }),
  }),
});

export function stepFolderName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

const GROUPS = ['decayed', 'undecayed'] as const;

function optimizerEntries(state: ModelOptimizerState): SafetensorsEntry[] {
  return GROUPS.flatMap((group) =>
    state[group].names.flatMap((name, index) => {
      const moments = state[group].state.moments[index];
      if (!moments) return [];
      return (['first', 'second'] as const).map((moment) => ({
        name: `${group}.${moment}.${name}`,
        dtype: 'F32' as const,
        shape: [moments[moment].length],
        encode: () => encodeValues(moments[moment], 'F32'),
      }));
    }),
  );
}

/**
 * Writes a resumable checkpoint of `step` under `output`/checkpoints: the model as a Hugging Face
 * folder (with the tokenizer, so it loads on its own), the optimizer's moments and the trainer
 * state. It is written under a temporary name and renamed when complete, so a folder named
 * step-N is always whole; returns its path.
 */
export async function writeTrainingCheckpoint(
  output: string,
  {
    config,
    parameters,
    optimizer,
    state,
    tokenizerFiles,
  }: {
    config: ModelConfig;
    parameters: Parameters;
    optimizer: ModelOptimizer;
    state: TrainerState;
    tokenizerFiles: readonly string[];
  },
): Promise<string> {
  const folder = join(output, CHECKPOINTS_FOLDER);
  const final = join(folder, stepFolderName(state.step));
  const partial = join(folder, `.partial-${stepFolderName(state.step)}-${process.pid}`);
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await parameters.save(partial, config);
  for (const file of tokenizerFiles) await copyFile(file, join(partial, basename(file)));
  const optimizerState = await optimizer.state();
  await writeSafetensors(join(partial, OPTIMIZER_FILE), optimizerEntries(optimizerState));
  const stateFile: z.input<typeof stateFileSchema> = {
    format: FORMAT,
    ...state,
    optimizer: {
      decayed: { names: optimizerState.decayed.names, steps: optimizerState.decayed.state.steps },
      undecayed: {
        names: optimizerState.undecayed.names,
        steps: optimizerState.undecayed.state.steps,
      },
    },
  };
  await writeFile(join(partial, TRAINER_STATE_FILE), `${JSON.stringify(stateFile, null, 2)}\n`);
  await rm(final, { recursive: true, force: true });
  await rename(partial, final);
  return final;
}

/** The trainer state and the optimizer's moments of checkpoint folder `directory`. */
export async function readTrainingCheckpoint(
  directory: string,
): Promise<{ state: TrainerState; optimizer: ModelOptimizerState }> {
  const path = join(directory, TRAINER_STATE_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(
      `${path}: cannot read the trainer state (${(error as Error).message}); ` +
        'resume from a folder that pretrain wrote under <output>/checkpoints',
    );
  }
  const parsed = stateFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${path}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  const { optimizer: saved, format: _format, ...state } = parsed.data;
  const moments = await SafetensorsFile.open(join(directory, OPTIMIZER_FILE));
  try {
    const group = async (
      which: (typeof GROUPS)[number],
    ): Promise<{ names: string[]; state: AdamWState }> => {
      const { names, steps } = saved[which];
      const loaded: AdamWState['moments'] = [];
      for (const name of names) {
        const first = `${which}.first.${name}`;
        loaded.push(
          moments.tensors.has(first)
            ? {
                first: await moments.readFloat32(first),
                second: await moments.readFloat32(`${which}.second.${name}`),
              }
            : null,
        );
      }
      return { names, state: { steps, moments: loaded } };
    };
    return {
      state: state as TrainerState,
      optimizer: { decayed: await group('decayed'), undecayed: await group('undecayed') },
    };
  } finally {
    await moments.close();
  }
}

/** Checkpoint folders under `output`, oldest first; partial ones are not listed. */
export async function listTrainingCheckpoints(
  output: string,
): Promise<{ step: number; path: string }[]> {
  const folder = join(output, CHECKPOINTS_FOLDER);
  const names = await readdir(folder).catch(() => [] as string[]);
  return names
    .flatMap((name) => {
      const match = STEP_FOLDER.exec(name);
      return match ? [{ step: Number(match[1]), path: join(folder, name) }] : [];
    })
    .sort((a, b) => a.step - b.step);
}

/** Deletes all but the newest `keep` checkpoints, and partial ones left by killed runs. */
export async function pruneTrainingCheckpoints(output: string, keep: number): Promise<void> {
  const folder = join(output, CHECKPOINTS_FOLDER);
  const checkpoints = await listTrainingCheckpoints(output);
  for (const { path } of checkpoints.slice(0, Math.max(0, checkpoints.length - keep)))
    await rm(path, { recursive: true, force: true });
  const partial = (await readdir(folder).catch(() => [] as string[])).filter(
    (name) => name.startsWith('.partial-') && !name.endsWith(`-${process.pid}`),
  );
  for (const name of partial) await rm(join(folder, name), { recursive: true, force: true });
}

/**
 * The checkpoint `directory` names: a checkpoint folder itself, or a run's output folder (its
 * newest checkpoint). For `--resume`.
 */
export async function resolveTrainingCheckpoint(
  directory: string,
): Promise<{ path: string; step: number }> {
  const statePath = join(directory, TRAINER_STATE_FILE);
  const stateText = await readFile(statePath, 'utf8').catch(() => undefined);
  if (stateText !== undefined) {
    const step = (JSON.parse(stateText) as { step?: unknown }).step;
    if (typeof step !== 'number')
      throw new Error(`${statePath}: no step; the checkpoint is damaged`);
    return { path: directory, step };
  }
  const newest = (await listTrainingCheckpoints(directory)).at(-1);
  if (!newest)
    throw new Error(
      `${directory} is neither a training checkpoint (no ${TRAINER_STATE_FILE}) nor a run's ` +
        `output folder with checkpoints in ${CHECKPOINTS_FOLDER}/`,
    );
  return newest;
}
