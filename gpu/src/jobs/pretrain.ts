import { pretrain } from '../train/pretrain.ts';
import { pretrainConfigSchema } from '../train/pretrain-config.ts';
import { acquireJobGpu } from './job-gpu.ts';
import type { JobDefinition } from './job.ts';

export const pretrainJob: JobDefinition<typeof pretrainConfigSchema> = {
  kind: 'pretrain',
  description:
    'Trains a Llama from scratch on the Brown corpus (byte-level BPE trained on its train split): ' +
    'AdamW with warm-up and cosine decay, held-out loss, resumable checkpoints, the finished ' +
    'model as a Hugging Face folder.',
  schema: pretrainConfigSchema,
  async run(config, reporter) {
    const gpu = await acquireJobGpu(reporter);
    return pretrain(config, reporter, gpu);
  },
};
