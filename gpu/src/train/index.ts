export { TrainableLlama } from './trainable-llama.ts';
export type { ForwardPass, SequenceBatch } from './trainable-llama.ts';
export { Parameters, initialParameterValues, readParameterValues } from './parameters.ts';
export type { ParameterValues } from './parameters.ts';
export { ModelOptimizer } from './optimizer.ts';
export type { ModelOptimizerState, OptimizerSettings } from './optimizer.ts';
export { learningRateAt } from './schedule.ts';
export type { ScheduleSettings } from './schedule.ts';
export { trainingStep } from './train-step.ts';
export type { StepResult, StepSettings } from './train-step.ts';
export { heldOutLoss } from './evaluate.ts';
export type { HeldOutLoss, HeldOutOptions } from './evaluate.ts';
export { EVAL_METRICS, FINETUNE_METRICS, layerMetric, TRAINING_METRICS } from './metric-keys.ts';
export { finetuneConfigSchema } from './finetune/config.ts';
export type { FinetuneConfig } from './finetune/config.ts';
export { finetune } from './finetune/finetune.ts';
export { pretrainConfigSchema } from './pretrain-config.ts';
export type { PretrainConfig } from './pretrain-config.ts';
export {
  FINAL_MODEL_FOLDER,
  HISTORY_FILE,
  pretrain,
  pretrainModelConfig,
  TrainingDivergedError,
} from './pretrain.ts';
export type { TrainingReporter, TrainingSummary } from './pretrain.ts';
export {
  listTrainingCheckpoints,
  readTrainingCheckpoint,
  resolveTrainingCheckpoint,
} from './training-checkpoint.ts';
export type { TrainerState } from './training-checkpoint.ts';
export * from './data/index.ts';
