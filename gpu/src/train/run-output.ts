import { copyFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ModelConfig } from '../model/config.ts';
import type { SplitTokens } from './data/batch-options.ts';
import { heldOutLoss } from './evaluate.ts';
import { TRAINING_METRICS as METRICS } from './metric-keys.ts';
import type { ModelOptimizer } from './optimizer.ts';
import { appendHistory, HISTORY_FILE } from './run-files.ts';
import type { TrainableLlama } from './trainable-llama.ts';
import {
  pruneTrainingCheckpoints,
  writeTrainingCheckpoint,
  type TrainerState,
} from './training-checkpoint.ts';

export class TrainingDivergedError extends Error {}

/**
 * What training tells whoever runs it (the job runner's Reporter satisfies it): progress,
 * metrics, files written, and whether to stop or where to resume.
 */
export interface TrainingReporter {
  progress(fraction: number, stage?: string): void;
  metrics(step: number, values: Record<string, number>): void;
  log(message: string): void;
  shouldStop(): boolean;
  artifact(artifact: { kind: 'CHECKPOINT' | 'MODEL'; path: string; step?: number }): void;
  resumeFrom(): { path: string; step: number } | null;
}

export interface TrainingSummary {
  summary: Record<string, number>;
}

/** Held-out scoring settings of a run: the split's windows, batch size and how many batches. */
export interface ValidationSettings {
  sequenceLength: number;
  batchSize: number;
  /** 0 scores the whole split. */
  maxBatches: number;
}

/**
 * What a training run (pretraining, fine-tuning) writes under its output folder and reports:
 * metric points and their history, validation losses, resumable checkpoints, the final model,
 * and the error that names the last good checkpoint when the run diverges.
 */
export class TrainingRunOutput {
  private lastCheckpoint: string | undefined;
  /** The latest validation loss, once one was measured. */
  validationLoss: number | undefined;

  constructor(
    private readonly output: string,
    private readonly reporter: TrainingReporter,
    /** tokenizer.json and tokenizer_config.json, copied into every model folder written. */
    private readonly tokenizerFiles: readonly string[],
    /** The checkpoint the run resumed from, if it did. */
    resumedFrom?: string,
  ) {
    this.lastCheckpoint = resumedFrom;
  }

  /** Metric values of `step`, to the reporter and the run's history file. */
  async record(step: number, values: Record<string, number>): Promise<void> {
    this.reporter.metrics(step, values);
    await appendHistory(this.output, step, values);
  }

  /** The model's mean loss on the validation split, recorded at `step`. */
  async validate(
    model: TrainableLlama,
    splits: SplitTokens,
    step: number,
    { sequenceLength, batchSize, maxBatches }: ValidationSettings,
  ): Promise<void> {
    const { loss } = await heldOutLoss(model, splits, {
      split: 'validation',
      sequenceLength,
      batchSize,
      maxBatches,
    });
    this.validationLoss = loss;
    await this.record(step, {
      [METRICS.validationLoss]: loss,
      [METRICS.validationPerplexity]: Math.exp(loss),
    });
  }

  /** A resumable checkpoint of `state.step`, reported; only the newest `keep` are kept. */
  async checkpoint(
    model: { config: ModelConfig; parameters: TrainableLlama['parameters'] },
    optimizer: ModelOptimizer,
    state: TrainerState,
    keep: number,
  ): Promise<void> {
    const path = await writeTrainingCheckpoint(this.output, {
      config: model.config,
      parameters: model.parameters,
      optimizer,
      state,
      tokenizerFiles: this.tokenizerFiles,
    });
    this.lastCheckpoint = path;
    this.reporter.artifact({ kind: 'CHECKPOINT', path, step: state.step });
    await pruneTrainingCheckpoints(this.output, keep);
  }

  /** The finished model in `folder`, with the tokenizer and the run's history. */
  async saveModel(
    folder: string,
    model: { config: ModelConfig; parameters: TrainableLlama['parameters'] },
  ): Promise<void> {
    await model.parameters.save(folder, model.config);
    for (const file of this.tokenizerFiles) await copyFile(file, join(folder, basename(file)));
    await copyFile(join(this.output, HISTORY_FILE), join(folder, HISTORY_FILE));
    this.reporter.artifact({ kind: 'MODEL', path: folder });
  }

  /** Validation loss and perplexity for a run's summary, if measured. */
  validationSummary(): Record<string, number> {
    if (this.validationLoss === undefined) return {};
    return {
      [METRICS.validationLoss]: this.validationLoss,
      [METRICS.validationPerplexity]: Math.exp(this.validationLoss),
    };
  }

  /** The error of a run that `what` diverged at `step`, naming its last good checkpoint. */
  diverged(
    what: string,
    step: number,
    loss: number,
    gradNorm: number,
    advice: string,
  ): TrainingDivergedError {
    return new TrainingDivergedError(
      `${what} diverged at step ${step}: the loss is ${loss} and the gradient norm ${gradNorm}; ` +
        `the last good checkpoint is ${this.lastCheckpoint ?? 'none (none was written yet)'}. ${advice}`,
    );
  }
}
