import { finetuneConfigSchema } from '../train/finetune/config.ts';
import { finetune } from '../train/finetune/finetune.ts';
import { acquireJobGpu } from './job-gpu.ts';
import type { JobDefinition } from './job.ts';

export const finetuneJob: JobDefinition<typeof finetuneConfigSchema> = {
  kind: 'finetune',
  description:
    'Trains a factorised model (lab factorize) against its dense teacher as FactorLLM does: ' +
    'routers alone, then routers and experts, on CE + PA prior + load balance + distillation; ' +
    'resumable checkpoints, the finished student as a Hugging Face folder.',
  schema: finetuneConfigSchema,
  async run(config, reporter) {
    const gpu = await acquireJobGpu(reporter);
    return finetune(config, reporter, gpu);
  },
};
