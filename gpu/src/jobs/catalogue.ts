import type { JobDefinition } from './job.ts';
import { factorizeJob } from './factorize.ts';
import { evalJob } from './evaluate.ts';
import { finetuneJob } from './finetune.ts';
import { pipelineJob } from './pipeline.ts';
import { inferenceBenchJob } from './inference-bench.ts';
import { pretrainJob } from './pretrain.ts';
import { selftestJob } from './selftest.ts';

/** Every job the CLI and the worker can run, by kind. */
export const jobCatalogue = {
  selftest: selftestJob,
  'inference-bench': inferenceBenchJob,
  pretrain: pretrainJob,
  factorize: factorizeJob,
  finetune: finetuneJob,
  eval: evalJob,
  pipeline: pipelineJob,
} satisfies Record<string, JobDefinition>;

export type JobKind = keyof typeof jobCatalogue;

export function getJob(kind: string): JobDefinition | undefined {
  return Object.hasOwn(jobCatalogue, kind) ? jobCatalogue[kind as JobKind] : undefined;
}
