import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Gpu } from '../../../src/index.ts';
import { factorizeConfigSchema, factorizeModel } from '../../../src/jobs/factorize.ts';
import { pretrain } from '../../../src/train/pretrain.ts';
import { pretrainConfigSchema } from '../../../src/train/pretrain-config.ts';
import { RecordingReporter } from '../../recording-reporter.ts';
import { TINY_PRETRAIN } from '../tiny-pretrain.ts';
import { recordingReporter } from '../training-run.ts';

export interface TinyTeacher {
  /** The dense model's folder. */
  teacher: string;
  /** Writes the teacher's factorisation (N experts, top k, sequential split) and returns its folder. */
  factorise(experts: number, topK: number): Promise<string>;
  remove(): Promise<void>;
}

/**
 * A tiny dense teacher trained a little on Brown (so that its FFNs are not random), for the
 * fine-tune and evaluation tests. Several seconds on lavapipe.
 */
export async function tinyTeacher(gpu: Gpu): Promise<TinyTeacher> {
  const folder = await mkdtemp(join(tmpdir(), 'factorlab-teacher-'));
  const output = join(folder, 'teacher-run');
  const config = pretrainConfigSchema.parse({
    output,
    seed: 3,
    ...TINY_PRETRAIN,
    training: { steps: 30, batchSize: 4, sequenceLength: 32, learningRate: 1e-2, warmupSteps: 3 },
    evaluation: { every: 30, batches: 1, batchSize: 16, test: false },
    checkpoint: { every: 30, keep: 1 },
  });
  await pretrain(config, recordingReporter(), gpu);
  const teacher = join(output, 'model');
  return {
    teacher,
    async factorise(experts, topK) {
      const student = join(folder, `n${experts}k${topK}`);
      await factorizeModel(
        factorizeConfigSchema.parse({ model: teacher, output: student, experts, topK }),
        new RecordingReporter(),
        async () => gpu,
      );
      return student;
    },
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}
