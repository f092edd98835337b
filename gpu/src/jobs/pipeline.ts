import { writeFile } from 'node:fs/promises';
import { reportMetrics, type FactorReport } from '../eval/factor-report.ts';
import type { Gpu } from '../runtime/device.ts';
import { finetune } from '../train/finetune/finetune.ts';
import { evaluateStudent } from './evaluate.ts';
import { factorizeModel } from './factorize.ts';
import { inferenceBenchConfigSchema, inferenceBenchJob } from './inference-bench.ts';
import { acquireJobGpu } from './job-gpu.ts';
import type { JobDefinition, Reporter } from './job.ts';
import { pipelineConfigSchema, pipelineFolders, type PipelineConfig } from './pipeline-config.ts';

export { pipelineConfigSchema, type PipelineConfig };

/** `reporter` with progress mapped into [from, to] and stages prefixed by `name`. */
function part(reporter: Reporter, name: string, from: number, to: number): Reporter {
  return {
    progress: (fraction, stage) =>
      reporter.progress(from + (to - from) * fraction, stage ? `${name}: ${stage}` : name),
    metrics: (step, values) => reporter.metrics(step, values),
    device: (info) => reporter.device(info),
    log: (message) => reporter.log(message),
    shouldStop: () => reporter.shouldStop(),
    benchmark: (row) => reporter.benchmark(row),
    artifact: (artifact) => reporter.artifact(artifact),
    resumeFrom: () => reporter.resumeFrom(),
  };
}

/**
 * Decode speed of the student against its dense source in one sitting, with the FLOP bound: the
 * inference-bench job over the saved mixture of experts (which also records the benchmark row).
 */
async function measureSpeed(
  config: PipelineConfig,
  reporter: Reporter,
): Promise<NonNullable<FactorReport['speed']>> {
  if (config.bench === false) throw new Error('measureSpeed: bench is off');
  const { summary } = await inferenceBenchJob.run(
    inferenceBenchConfigSchema.parse({
      model: pipelineFolders(config.output).student,
      ...config.bench,
    }),
    reporter,
  );
  return {
    denseDecodeTokS: summary.dense_decode_tok_s!,
    decodeTokS: summary.decode_tok_s!,
    speedup: summary.speedup!,
    bound: summary.bound!,
  };
}

/**
 * The FactorLLM pipeline on one dense model: factorise it, fine-tune the student against it,
 * evaluate both with the router baselines, and measure decode speed, writing
 * `<output>/report.json`. After a crash it resumes from the fine-tune's last checkpoint.
 */
export async function runPipeline(
  config: PipelineConfig,
  reporter: Reporter,
  gpu: Gpu,
): Promise<{ report?: FactorReport; summary: Record<string, number> }> {
  const folders = pipelineFolders(config.output);
  if (!reporter.resumeFrom())
    await factorizeModel(config.factorize, part(reporter, 'factorize', 0, 0.05), async () => gpu);
  const trained = await finetune(config.finetune, part(reporter, 'finetune', 0.05, 0.75), gpu);
  const steps = config.finetune.stages.router.steps + config.finetune.stages.joint.steps;
  if (trained.summary.steps !== steps) return { summary: trained.summary };
  const report = await evaluateStudent(config.eval, part(reporter, 'eval', 0.75, 0.9), gpu);
  if (config.bench !== false && !reporter.shouldStop())
    report.speed = await measureSpeed(config, part(reporter, 'bench', 0.9, 1));
  await writeFile(folders.report, `${JSON.stringify(report, null, 2)}\n`);
  reporter.artifact({ kind: 'REPORT', path: folders.report });
  return {
    report,
    summary: {
      ...reportMetrics(report),
      finetune_tokens: trained.summary.tokens_seen!,
      experts: config.factorize.experts,
      top_k: config.factorize.topK,
    },
  };
}

export const pipelineJob: JobDefinition<typeof pipelineConfigSchema> = {
  kind: 'pipeline',
  description:
    'factorize -> finetune -> eval -> bench on one dense model: the student, its quality beside ' +
    'the dense model and the router baselines, and its decode speedup against the bound.',
  schema: pipelineConfigSchema,
  async run(config, reporter) {
    const gpu = await acquireJobGpu(reporter);
    const { summary } = await runPipeline(config, reporter, gpu);
    return { summary };
  },
};
