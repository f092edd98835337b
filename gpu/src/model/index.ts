export * from './safetensors/index.ts';
export {
  Checkpoint,
  CONFIG_FILE,
  WEIGHTS_FILE,
  WEIGHTS_INDEX_FILE,
  writeCheckpoint,
} from './checkpoint.ts';
export { assertCheckpointFits, ROW_BLOCKED_TENSORS } from './checkpoint-fit.ts';
export type { BufferLimits, FitOptions } from './checkpoint-fit.ts';
export { modelConfigSchema, parseModelConfig, readModelConfig } from './config.ts';
export type { ModelConfig, RopeScaling } from './config.ts';
export { llamaTensorSpecs } from './llama-tensors.ts';
export type { LlamaTensorKind, LlamaTensorSpec } from './llama-tensors.ts';
export { ModelFileError } from './model-file-error.ts';
export {
  SUPPORTED_ACTIVATIONS,
  SUPPORTED_ARCHITECTURES,
  SUPPORTED_MODEL_TYPES,
  SUPPORTED_ROPE_SCALING_TYPES,
} from './supported-model.ts';
export { INITIALIZER_STD, randomCheckpointEntries } from './random-init.ts';
export {
  BYTE_TOKENIZER_BASE_SIZE,
  BYTE_TOKENIZER_SPECIALS,
  buildByteTokenizer,
  writeByteTokenizer,
} from './byte-tokenizer.ts';
export type { ByteTokenizerFiles, ByteTokenizerOptions } from './byte-tokenizer.ts';
export {
  GENERATION_CONFIG_FILE,
  ModelTokenizer,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
} from './tokenizer.ts';
export type { DecodeOptions } from './tokenizer.ts';
