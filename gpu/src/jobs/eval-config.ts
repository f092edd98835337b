import { z } from 'zod';
import { DEFAULT_DATA_DIRECTORY } from '../train/data/prepare.ts';

/** What `eval` scores: a factorised student against its dense teacher, with baselines. */
export const evalConfigSchema = z.strictObject({
  teacher: z.string().min(1).describe('the dense model folder'),
  student: z.string().min(1).describe('the factorised (and fine-tuned) model folder'),
  untrained: z
    .string()
    .min(1)
    .optional()
    .describe('the factorised model before fine-tuning: scored as the untrained-router baseline'),
  split: z.enum(['validation', 'test']).default('test').describe('held-out Brown split scored'),
  sequenceLength: z.int().min(2).max(32_768).default(128).describe('tokens per scored window'),
  batchSize: z.int().min(1).max(4096).default(16).describe('windows per batch'),
  maxBatches: z
    .int()
    .min(0)
    .default(20)
    .describe('batches scored (0: the whole split); the same batches for every model'),
  baselines: z.boolean().default(true).describe('also score random and oracle routers'),
  seed: z.int().min(0).max(0xffffffff).default(0).describe('seed of the random router'),
  dataDirectory: z
    .string()
    .min(1)
    .default(DEFAULT_DATA_DIRECTORY)
    .describe('where token caches are kept'),
  tasks: z
    .array(z.string().min(1))
    .default([])
    .describe(
      'multiple-choice task files (JSONL: context, choices, answer) scored for both models',
    ),
  report: z.string().min(1).optional().describe('write the report as JSON to this file'),
});

export type EvalConfig = z.output<typeof evalConfigSchema>;
