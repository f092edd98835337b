import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { JobDefinition } from '@factorlab/gpu';

/** A job for tests of checkpoint and resume: counts steps, checkpointing its running total. */
export const CHECKPOINTING_COUNTER = 'checkpointing-counter';

const schema = z.strictObject({
  steps: z.int().min(1),
  checkpointEvery: z.int().min(1),
  stepMs: z.int().min(0),
  /** Where checkpoints go; one file per checkpoint. */
  dir: z.string(),
});

/** The value of step `i`: deterministic, so a resumed run's totals can be checked. */
export function stepValue(i: number): number {
  return ((i * 7919) % 101) / 101;
}

interface State {
  step: number;
  total: number;
}

/**
 * Each step adds `stepValue(step)` to a running total and reports both; every `checkpointEvery`
 * steps it writes the state to a file and reports it as a CHECKPOINT. Resumed, it reads the state
 * back and continues after its step; its summary says from which step it resumed (-1: none).
 */
export const checkpointingCounterJob: JobDefinition<typeof schema> = {
  kind: CHECKPOINTING_COUNTER,
  description: 'Counts steps with checkpoints (tests only).',
  schema,
  async run({ steps, checkpointEvery, stepMs, dir }, reporter) {
    const resume = reporter.resumeFrom();
    const state: State = resume
      ? (JSON.parse(await readFile(resume.path, 'utf8')) as State)
      : { step: -1, total: 0 };
    if (resume && state.step !== resume.step) {
      throw new Error(`checkpoint ${resume.path} holds step ${state.step}, not ${resume.step}`);
    }
    for (let step = state.step + 1; step < steps && !reporter.shouldStop(); step++) {
      state.step = step;
      state.total += stepValue(step);
      reporter.metrics(step, { value: stepValue(step), total: state.total });
      if ((step + 1) % checkpointEvery === 0) {
        const file = path.join(dir, `checkpoint-${step}.json`);
        await writeFile(`${file}.partial`, JSON.stringify(state));
        await rename(`${file}.partial`, file);
        reporter.artifact({ kind: 'CHECKPOINT', path: file, step });
      }
      reporter.progress((step + 1) / steps, 'counting');
      await new Promise((resolve) => setTimeout(resolve, stepMs));
    }
    return { summary: { total: state.total, resumed_from: resume?.step ?? -1 } };
  },
};
