import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModelConfig, type ModelConfig } from '../model/config.ts';
import type { Gpu } from '../runtime/device.ts';
import { createBatchLoader } from './data/batch-loader.ts';
import { brownBaselines } from './data/brown-baselines.ts';
import { prepareBrownData, type BrownData } from './data/prepare.ts';
import { heldOutLoss } from './evaluate.ts';
import { TRAINING_METRICS as METRICS } from './metric-keys.ts';
import { ModelOptimizer, type ModelOptimizerState } from './optimizer.ts';
import type { PretrainConfig } from './pretrain-config.ts';
import { FINAL_MODEL_FOLDER, firstDifference, HISTORY_FILE, truncateHistory } from './run-files.ts';
import { TrainingRunOutput, type TrainingReporter, type TrainingSummary } from './run-output.ts';
import { learningRateAt } from './schedule.ts';
import { trainingStep } from './train-step.ts';
import { TrainableLlama } from './trainable-llama.ts';
import { readTrainingCheckpoint, type TrainerState } from './training-checkpoint.ts';

export { FINAL_MODEL_FOLDER, HISTORY_FILE } from './run-files.ts';

export { TrainingDivergedError } from './run-output.ts';
export type { TrainingReporter, TrainingSummary } from './run-output.ts';

/** The Hugging Face config of the model `config` trains, over the tokenizer's vocabulary. */
export function pretrainModelConfig(
  config: PretrainConfig,
  data: Pick<BrownData, 'vocabSize' | 'endOfTextId'>,
): ModelConfig {
  const { model } = config;
  return parseModelConfig(
    {
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      vocab_size: data.vocabSize,
      hidden_size: model.hiddenSize,
      intermediate_size: model.intermediateSize,
      num_hidden_layers: model.layers,
      num_attention_heads: model.heads,
      num_key_value_heads: model.kvHeads ?? model.heads,
      max_position_embeddings: model.maxPositions,
      rms_norm_eps: model.rmsNormEps,
      rope_theta: model.ropeTheta,
      tie_word_embeddings: model.tieWordEmbeddings,
      hidden_act: 'silu',
      bos_token_id: data.endOfTextId,
      eos_token_id: data.endOfTextId,
      torch_dtype: 'float32',
    },
    'the pretrain config',
  );
}

/** What decides a run's weights: a resume must match it exactly. */
function weightSettings(config: PretrainConfig) {
  return { seed: config.seed, data: config.data, model: config.model, training: config.training };
}

interface Start {
  model: TrainableLlama;
  state: TrainerState;
  optimizerState?: ModelOptimizerState;
  /** The checkpoint resumed from. */
  checkpoint?: string;
}

async function freshStart(
  gpu: Gpu,
  config: PretrainConfig,
  modelConfig: ModelConfig,
): Promise<Start> {
  await writeFile(join(config.output, HISTORY_FILE), '');
  return {
    model: TrainableLlama.initialise(gpu, modelConfig, config.seed),
    state: {
      step: 0,
      loader: {
        split: 'train',
        sequenceLength: config.training.sequenceLength,
        seed: config.seed,
        epoch: 0,
        cursor: 0,
      },
      tokensSeen: 0,
      trainingSeconds: 0,
      settings: weightSettings(config),
    },
  };
}

async function resumedStart(gpu: Gpu, config: PretrainConfig, checkpoint: string): Promise<Start> {
  const saved = await readTrainingCheckpoint(checkpoint);
  const differs = firstDifference(saved.state.settings, weightSettings(config));
  if (differs)
    throw new Error(
      `cannot resume from ${checkpoint}: its ${differs} differs from this run's config; ` +
        'resume with the config the checkpoint was trained with',
    );
  await truncateHistory(config.output, saved.state.step);
  return {
    model: await TrainableLlama.open(gpu, checkpoint),
    state: saved.state,
    optimizerState: saved.optimizer,
    checkpoint,
  };
}

/**
 * Trains a Llama from scratch on the Brown corpus as `config` says: warm-up then cosine AdamW
 * with clipping and accumulation, held-out loss and resumable checkpoints at fixed intervals,
 * the finished model in `<output>/model`. Resumes from reporter.resumeFrom() when it names a
 * checkpoint, continuing exactly where that run left off. Stops between steps when cancelled.
 */
export async function pretrain(
  config: PretrainConfig,
  reporter: TrainingReporter,
  gpu: Gpu,
): Promise<TrainingSummary> {
  reporter.progress(0, 'preparing data');
  const data = await prepareBrownData({
    dir: config.data.directory,
    vocabSize: config.data.vocabSize,
    log: (message) => reporter.log(message),
  });
  const modelConfig = pretrainModelConfig(config, data);
  await mkdir(config.output, { recursive: true });
  const resume = reporter.resumeFrom();
  if (resume) reporter.log(`resuming from ${resume.path} (step ${resume.step})`);
  const start = resume
    ? await resumedStart(gpu, config, resume.path)
    : await freshStart(gpu, config, modelConfig);
  const { training } = config;
  const optimizer = new ModelOptimizer(start.model.parameters, {
    learningRate: training.learningRate,
    betas: training.betas,
    eps: training.eps,
    weightDecay: training.weightDecay,
  });
  try {
    if (start.optimizerState) optimizer.loadState(start.optimizerState);
    return await new PretrainRun(config, reporter, data, modelConfig, start, optimizer).run();
  } finally {
    optimizer.dispose();
    start.model.dispose();
  }
}

/** One pretraining run's loop, from its start state to config.training.steps. */
class PretrainRun {
  private readonly model: TrainableLlama;
  private readonly state: TrainerState;
  private readonly files: TrainingRunOutput;
  private lastLoss = Number.NaN;

  constructor(
    private readonly config: PretrainConfig,
    private readonly reporter: TrainingReporter,
    private readonly data: BrownData,
    private readonly modelConfig: ModelConfig,
    start: Start,
    private readonly optimizer: ModelOptimizer,
  ) {
    this.model = start.model;
    this.state = { ...start.state };
    const tokenizerFiles = ['tokenizer.json', 'tokenizer_config.json'].map((file) =>
      join(data.tokenizerDirectory, file),
    );
    this.files = new TrainingRunOutput(config.output, reporter, tokenizerFiles, start.checkpoint);
  }

  async run(): Promise<TrainingSummary> {
    const { training, evaluation, checkpoint } = this.config;
    const loader = createBatchLoader(this.data.splits, {
      split: 'train',
      sequenceLength: training.sequenceLength,
      batchSize: training.batchSize,
      seed: this.config.seed,
      resumeFrom: this.state.step > 0 ? this.state.loader : undefined,
    });
    const tokensPerStep =
      training.batchSize * training.sequenceLength * training.gradientAccumulation;
    const schedule = { ...training, totalSteps: training.steps };
    while (this.state.step < training.steps) {
      if (this.reporter.shouldStop()) {
        this.reporter.log(
          `stopped after step ${this.state.step} (cancelled, or its worker is stopping)`,
        );
        break;
      }
      const step = this.state.step + 1;
      const microBatches = Array.from({ length: training.gradientAccumulation }, () =>
        loader.next(),
      );
      const learningRate = learningRateAt(step, schedule);
      const started = performance.now();
      const { loss, gradNorm } = await trainingStep(this.model, this.optimizer, microBatches, {
        learningRate,
        clipNorm: training.clipNorm ?? undefined,
      });
      const seconds = (performance.now() - started) / 1e3;
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm))
        throw this.files.diverged(
          'training',
          step,
          loss,
          gradNorm,
          'Lower training.learningRate, raise training.warmupSteps or set training.clipNorm.',
        );
      Object.assign(this.state, {
        step,
        loader: loader.position(),
        tokensSeen: this.state.tokensSeen + tokensPerStep,
        trainingSeconds: this.state.trainingSeconds + seconds,
      });
      this.lastLoss = loss;
      await this.files.record(step, {
        [METRICS.trainLoss]: loss,
        [METRICS.learningRate]: learningRate,
        [METRICS.gradNorm]: gradNorm,
        [METRICS.tokensPerS]: tokensPerStep / seconds,
        [METRICS.tokensSeen]: this.state.tokensSeen,
      });
      const last = step === training.steps;
      if (step % evaluation.every === 0 || last) {
        this.reporter.progress(step / training.steps, 'scoring the validation split');
        await this.files.validate(this.model, this.data.splits, step, {
          sequenceLength: training.sequenceLength,
          batchSize: evaluation.batchSize ?? training.batchSize,
          maxBatches: evaluation.batches,
        });
      }
      if (step % checkpoint.every === 0 || last)
        await this.files.checkpoint(
          { config: this.modelConfig, parameters: this.model.parameters },
          this.optimizer,
          this.state,
          checkpoint.keep,
        );
      this.reporter.progress(step / training.steps, `step ${step}/${training.steps}`);
    }
    const summary = this.summary();
    if (this.state.step === training.steps) {
      await this.files.saveModel(
        this.config.modelDirectory ?? join(this.config.output, FINAL_MODEL_FOLDER),
        { config: this.modelConfig, parameters: this.model.parameters },
      );
      if (this.config.evaluation.test) Object.assign(summary, await this.testScores());
    }
    return { summary };
  }

  /**
   * The finished model's perplexity on the test split, per token and per word, beside the
   * add-one unigram and Kneser-Ney bigram baselines of the same tokenizer on the same split.
   */
  private async testScores(): Promise<Record<string, number>> {
    const { training, evaluation } = this.config;
    this.reporter.progress(1, 'scoring the test split');
    const { loss, tokens } = await heldOutLoss(this.model, this.data.splits, {
      split: 'test',
      sequenceLength: training.sequenceLength,
      batchSize: evaluation.batchSize ?? training.batchSize,
    });
    const words = this.data.wordsPerSplit.test;
    const baselines = brownBaselines(this.data, 'test');
    return {
      [METRICS.testLoss]: loss,
      [METRICS.testPerplexity]: Math.exp(loss),
      [METRICS.testPerplexityPerWord]: Math.exp((loss * tokens) / words),
      [METRICS.unigramTestPerplexity]: baselines.unigram.tokenPerplexity,
      [METRICS.bigramTestPerplexity]: baselines.bigram.tokenPerplexity,
      [METRICS.bigramTestPerplexityPerWord]: baselines.bigram.wordPerplexity,
    };
  }

  private summary(): Record<string, number> {
    const summary: Record<string, number> = {
      steps: this.state.step,
      [METRICS.trainLoss]: this.lastLoss,
      [METRICS.tokensSeen]: this.state.tokensSeen,
      training_seconds: this.state.trainingSeconds,
      [METRICS.tokensPerS]: this.state.tokensSeen / Math.max(this.state.trainingSeconds, 1e-9),
      ...this.files.validationSummary(),
    };
    return summary;
  }
}
