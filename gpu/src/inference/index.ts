export { generate } from './generate.ts';
export type { GenerateOptions, Generation } from './generate.ts';
export { LlamaModel } from './llama-model.ts';
export type { LoadOptions, LogitRows } from './llama-model.ts';
export { KvCache } from './kv-cache.ts';
export type { SamplingOptions } from './sampler.ts';
export { packTokens } from '../ops/fused/token-batch.ts';
export type { SequenceChunk, TokenBatch } from '../ops/fused/token-batch.ts';
export type { KernelTarget } from '../kernel/kernel-target.ts';
