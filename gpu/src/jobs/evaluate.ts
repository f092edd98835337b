import { writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { ModelTokenizer } from '../model/tokenizer.ts';
import { readMultipleChoiceTask, scoreMultipleChoice } from '../eval/multiple-choice.ts';
import {
  BASELINES,
  factorReport,
  reportMetrics,
  type BaselineName,
  type FactorReport,
} from '../eval/factor-report.ts';
import { oracleRouting, randomRouting } from '../eval/router-baselines.ts';
import { compareWithTeacher, type ModelQuality } from '../eval/student-quality.ts';
import type { Gpu } from '../runtime/device.ts';
import { prepareBrownDataForModel } from '../train/data/prepare.ts';
import { TrainableLlama } from '../train/trainable-llama.ts';
import { evalConfigSchema, type EvalConfig } from './eval-config.ts';
import { acquireJobGpu } from './job-gpu.ts';
import type { JobDefinition, Reporter } from './job.ts';

export { evalConfigSchema, type EvalConfig };

/**
 * Scores `config.student` against `config.teacher` on the same held-out batches, with the
 * untrained, random and oracle routers as baselines, and returns the report.
 */
export async function evaluateStudent(
  config: EvalConfig,
  reporter: Pick<Reporter, 'progress' | 'log'>,
  gpu: Gpu,
): Promise<FactorReport> {
  reporter.progress(0, 'preparing data');
  const data = await prepareBrownDataForModel(config.teacher, {
    dir: config.dataDirectory,
    log: (message) => reporter.log(message),
  });
  const options = {
    split: config.split,
    sequenceLength: config.sequenceLength,
    batchSize: config.batchSize,
    maxBatches: config.maxBatches,
  };
  const teacher = await TrainableLlama.open(gpu, config.teacher);
  const student = await TrainableLlama.open(gpu, config.student);
  try {
    if (!student.moe)
      throw new Error(`student: ${config.student} is a dense model; give a factorised one`);
    const runs =
      1 + (config.untrained ? 1 : 0) + (config.baselines ? 2 : 0) + (config.tasks.length ? 1 : 0);
    let done = 0;
    const next = (what: string) => reporter.progress(done++ / runs, `scoring ${what}`);
    next('the student');
    const { dense, student: quality } = await compareWithTeacher(
      teacher,
      student,
      data.splits,
      options,
    );
    const baselines: Partial<Record<BaselineName, ModelQuality>> = {};
    if (config.untrained) {
      next('the untrained router');
      const untrained = await TrainableLlama.open(gpu, config.untrained);
      try {
        baselines.untrainedRouter = (
          await compareWithTeacher(teacher, untrained, data.splits, options)
        ).student;
      } finally {
        untrained.dispose();
      }
    }
    if (config.baselines) {
      next('a random router');
      baselines.randomRouter = (
        await compareWithTeacher(teacher, student, data.splits, options, randomRouting(config.seed))
      ).student;
      next('the oracle router');
      baselines.oracleRouter = (
        await compareWithTeacher(
          teacher,
          student,
          data.splits,
          options,
          oracleRouting(teacher, student),
        )
      ).student;
    }
    const ordered = Object.fromEntries(
      BASELINES.filter((name) => baselines[name]).map((name) => [name, baselines[name]!]),
    );
    const report = factorReport(config.split, dense, quality, ordered);
    if (config.tasks.length > 0) {
      const tokenizer = await ModelTokenizer.open(config.teacher, teacher.config);
      for (const file of config.tasks) {
        reporter.progress(done / runs, `multiple choice: ${basename(file)}`);
        const items = await readMultipleChoiceTask(file);
        report.tasks[basename(file, extname(file))] = {
          dense: await scoreMultipleChoice(teacher, tokenizer, items),
          student: await scoreMultipleChoice(student, tokenizer, items),
        };
      }
    }
    reporter.progress(1, 'done');
    return report;
  } finally {
    teacher.dispose();
    student.dispose();
  }
}

export const evalJob: JobDefinition<typeof evalConfigSchema> = {
  kind: 'eval',
  description:
    'Held-out perplexity and next-token accuracy of a factorised student and its dense teacher, ' +
    'retention, KL and top-1 agreement, per-layer error, router accuracy and load, beside ' +
    'untrained, random and oracle routers.',
  schema: evalConfigSchema,
  async run(config, reporter) {
    const gpu = await acquireJobGpu(reporter);
    const report = await evaluateStudent(config, reporter, gpu);
    if (config.report) {
      await writeFile(config.report, `${JSON.stringify(report, null, 2)}\n`);
      reporter.artifact({ kind: 'REPORT', path: config.report });
    }
    return { summary: reportMetrics(report) };
  },
};
