import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { backward } from '../../autograd/backward.ts';
import { noGrad } from '../../ops/grad-mode.ts';
import { scale, topK } from '../../ops/index.ts';
import { clipGradNorm } from '../../optim/clip-grad-norm.ts';
import type { Gpu } from '../../runtime/device.ts';
import { tensor } from '../../tensor/create.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { createBatchLoader, type BatchLoader, type TrainingBatch } from '../data/batch-loader.ts';
import { prepareBrownDataForModel, type BrownData } from '../data/prepare.ts';
import {
  FINETUNE_METRICS as FINETUNE,
  layerMetric,
  TRAINING_METRICS as METRICS,
} from '../metric-keys.ts';
import { Activations } from '../activations.ts';
import {
  MOE_PARAMETER_GROUPS,
  moeWeightsOf,
  sharedExpertForward,
  type MoeWeights,
} from '../moe.ts';
import { ModelOptimizer } from '../optimizer.ts';

import {
  FINAL_MODEL_FOLDER,
  firstDifference,
  HISTORY_FILE,
  truncateHistory,
} from '../run-files.ts';
import { TrainingRunOutput, type TrainingReporter, type TrainingSummary } from '../run-output.ts';
import { learningRateAt } from '../schedule.ts';
import { TrainableLlama, type FeedForwardCapture } from '../trainable-llama.ts';
import { readTrainingCheckpoint, type TrainerState } from '../training-checkpoint.ts';
import type { FinetuneConfig, FinetuneStageName, ParameterGroup } from './config.ts';
import { ffnDistillLoss, finetuneLoss, meanSquareOf } from './losses.ts';
import { paLabel, routerAgreement, type PaLabel } from './pa-prior.ts';

/** Which parameter names each group holds. */
const GROUP_PATTERNS: Record<ParameterGroup, RegExp> = {
  ...MOE_PARAMETER_GROUPS,
  attention: /\.self_attn\./,
  norms: /layernorm|^model\.norm\./,
  embeddings: /^model\.embed_tokens\.|^lm_head\./,
};

/** Where a global step falls: its stage and the step within it (1-based). */
export function stageOf(
  step: number,
  stages: FinetuneConfig['stages'],
): { name: FinetuneStageName; step: number } {
  return step <= stages.router.steps
    ? { name: 'router', step }
    : { name: 'joint', step: step - stages.router.steps };
}

/** What decides the student's weights: a resume must match it exactly. */
function weightSettings(config: FinetuneConfig) {
  const { seed, data, training, stages, loss } = config;
  return { seed, data: { corpus: data.corpus }, training, stages, loss };
}

/** The teacher and the student must read the same tokens into the same residual stream. */
function checkPair(teacher: TrainableLlama, student: TrainableLlama, config: FinetuneConfig) {
  if (!student.moe)
    throw new Error(
      `student: ${config.student} is a dense model; factorise it first ` +
        '(lab factorize) and give the folder it writes',
    );
  if (teacher.moe)
    throw new Error(`teacher: ${config.teacher} is factorised; give the dense model it came from`);
  for (const field of [
    'vocab_size',
    'hidden_size',
    'intermediate_size',
    'num_hidden_layers',
    'num_attention_heads',
  ] as const) {
    if (teacher.config[field] !== student.config[field])
      throw new Error(
        `student: its ${field} is ${student.config[field]}, the teacher's ` +
          `${teacher.config[field]}; give the dense model the student was factorised from`,
      );
  }
}

/**
 * FactorLLM's fine-tune of a factorised student against its dense teacher on the Brown corpus
 * (tokenised with the teacher's tokenizer): a router-only stage, then a joint stage, each with
 * warm-up and cosine AdamW; the loss is CE + PA (the prior from the teacher's own residual
 * stream, per layer) + load balance + logit distillation, weighted as configured. Resumable
 * exactly from its checkpoints; stops between steps when cancelled.
 */
export async function finetune(
  config: FinetuneConfig,
  reporter: TrainingReporter,
  gpu: Gpu,
): Promise<TrainingSummary> {
  reporter.progress(0, 'preparing data');
  for (const [field, path] of [
    ['teacher', config.teacher],
    ['student', config.student],
  ] as const) {
    if (!(await stat(join(path, 'config.json')).catch(() => undefined)))
      throw new Error(`${field}: ${path} holds no config.json; give a model folder`);
  }
  const data = await prepareBrownDataForModel(config.teacher, {
    dir: config.data.directory,
    log: (message) => reporter.log(message),
  });
  await mkdir(config.output, { recursive: true });
  const resume = reporter.resumeFrom();
  if (resume) reporter.log(`resuming from ${resume.path} (step ${resume.step})`);
  const teacher = await TrainableLlama.open(gpu, config.teacher);
  let student: TrainableLlama | undefined;
  try {
    teacher.parameters.freeze(/./);
    let state: TrainerState;
    let optimizerState;
    if (resume) {
      const saved = await readTrainingCheckpoint(resume.path);
      const differs = firstDifference(saved.state.settings, weightSettings(config));
      if (differs)
        throw new Error(
          `cannot resume from ${resume.path}: its ${differs} differs from this run's config; ` +
            'resume with the config the checkpoint was trained with',
        );
      await truncateHistory(config.output, saved.state.step);
      student = await TrainableLlama.open(gpu, resume.path);
      state = saved.state;
      optimizerState = saved.optimizer;
    } else {
      await writeFile(join(config.output, HISTORY_FILE), '');
      student = await TrainableLlama.open(gpu, config.student);
      state = {
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
      };
    }
    checkPair(teacher, student, config);
    const run = new FinetuneRun(config, reporter, data, teacher, student, state, resume?.path);
    return await run.run(optimizerState);
  } finally {
    teacher.dispose();
    student?.dispose();
  }
}

/** Per-step figures, summed over micro-batches. */
interface StepFigures {
  total: number;
  ce: number;
  distill: number;
  pa: number[];
  balance: number[];
  agreement: number[];
  /** Per layer; zeros when the FFN distillation is off. */
  ffnDistill: number[];
}

class FinetuneRun {
  private optimizer: ModelOptimizer | undefined;
  private optimizerStage: FinetuneStageName | undefined;
  private last: StepFigures | undefined;
  private readonly files: TrainingRunOutput;
  private readonly topK: number;
  private readonly totalSteps: number;

  constructor(
    private readonly config: FinetuneConfig,
    private readonly reporter: TrainingReporter,
    private readonly data: BrownData,
    private readonly teacher: TrainableLlama,
    private readonly student: TrainableLlama,
    private readonly state: TrainerState,
    checkpoint: string | undefined,
  ) {
    this.topK = student.moe!.topK;
    this.totalSteps = config.stages.router.steps + config.stages.joint.steps;
    const tokenizerFiles = ['tokenizer.json', 'tokenizer_config.json'].map((file) =>
      join(config.teacher, file),
    );
    this.files = new TrainingRunOutput(config.output, reporter, tokenizerFiles, checkpoint);
  }

  async run(
    savedOptimizer?: Awaited<ReturnType<ModelOptimizer['state']>>,
  ): Promise<TrainingSummary> {
    const { training, evaluation, checkpoint } = this.config;
    const loader = createBatchLoader(this.data.splits, {
      split: 'train',
      sequenceLength: training.sequenceLength,
      batchSize: training.batchSize,
      seed: this.config.seed,
      resumeFrom: this.state.step > 0 ? this.state.loader : undefined,
    });
    // A checkpoint's optimizer belongs to the stage of its step, unless that step ended it.
    if (savedOptimizer && this.state.step < this.totalSteps) {
      const resumedStage = stageOf(this.state.step, this.config.stages).name;
      if (resumedStage === stageOf(this.state.step + 1, this.config.stages).name) {
        this.enterStage(resumedStage);
        this.optimizer!.loadState(savedOptimizer);
      }
    }
    const tokensPerStep =
      training.batchSize * training.sequenceLength * training.gradientAccumulation;
    try {
      while (this.state.step < this.totalSteps) {
        if (this.reporter.shouldStop()) {
          this.reporter.log(
            `stopped after step ${this.state.step} (cancelled, or its worker is stopping)`,
          );
          break;
        }
        const step = this.state.step + 1;
        const stage = stageOf(step, this.config.stages);
        if (this.optimizerStage !== stage.name) this.enterStage(stage.name);
        const stageSettings = this.config.stages[stage.name];
        const learningRate = learningRateAt(stage.step, {
          learningRate: stageSettings.learningRate,
          warmupSteps: stageSettings.warmupSteps,
          totalSteps: stageSettings.steps,
          minLearningRateFraction: training.minLearningRateFraction,
        });
        const started = performance.now();
        const figures = await this.step(loader, learningRate);
        const seconds = (performance.now() - started) / 1e3;
        if (!Number.isFinite(figures.total) || !Number.isFinite(figures.gradNorm))
          throw this.files.diverged(
            'the fine-tune',
            step,
            figures.total,
            figures.gradNorm,
            'Lower the stage learningRate, raise its warmupSteps or set training.clipNorm.',
          );
        Object.assign(this.state, {
          step,
          loader: loader.position(),
          tokensSeen: this.state.tokensSeen + tokensPerStep,
          trainingSeconds: this.state.trainingSeconds + seconds,
        });
        this.last = figures;
        await this.files.record(step, {
          [METRICS.trainLoss]: figures.total,
          [FINETUNE.ceLoss]: figures.ce,
          [FINETUNE.distillLoss]: figures.distill,
          [FINETUNE.paLoss]: sumOf(figures.pa),
          [FINETUNE.balanceLoss]: sumOf(figures.balance),
          [FINETUNE.routerAccuracy]: sumOf(figures.agreement) / figures.agreement.length,
          ...perLayer(FINETUNE.paLoss, figures.pa),
          ...perLayer(FINETUNE.balanceLoss, figures.balance),
          ...perLayer(FINETUNE.routerAccuracy, figures.agreement),
          ...(this.config.loss.ffnDistill > 0 && {
            [FINETUNE.ffnDistillLoss]: sumOf(figures.ffnDistill),
            ...perLayer(FINETUNE.ffnDistillLoss, figures.ffnDistill),
          }),
          [FINETUNE.stage]: stage.name === 'router' ? 0 : 1,
          [METRICS.learningRate]: learningRate,
          [METRICS.gradNorm]: figures.gradNorm,
          [METRICS.tokensPerS]: tokensPerStep / seconds,
          [METRICS.tokensSeen]: this.state.tokensSeen,
        });
        const last = step === this.totalSteps;
        if (step % evaluation.every === 0 || last) {
          this.reporter.progress(step / this.totalSteps, 'scoring the validation split');
          await this.files.validate(this.student, this.data.splits, step, {
            sequenceLength: training.sequenceLength,
            batchSize: evaluation.batchSize ?? training.batchSize,
            maxBatches: evaluation.batches,
          });
        }
        if (step % checkpoint.every === 0 || last)
          await this.files.checkpoint(this.student, this.optimizer!, this.state, checkpoint.keep);
        this.reporter.progress(
          step / this.totalSteps,
          `${stage.name} step ${step}/${this.totalSteps}`,
        );
      }
      const summary = this.summary();
      if (this.state.step === this.totalSteps)
        await this.files.saveModel(
          this.config.modelDirectory ?? join(this.config.output, FINAL_MODEL_FOLDER),
          this.student,
        );
      return { summary };
    } finally {
      this.optimizer?.dispose();
    }
  }

  /** Freezes everything but the stage's groups and starts its optimizer afresh. */
  private enterStage(name: FinetuneStageName): void {
    this.optimizer?.dispose();
    const parameters = this.student.parameters;
    parameters.freeze(/./);
    for (const group of this.config.stages[name].train) parameters.unfreeze(GROUP_PATTERNS[group]);
    if (parameters.trainable.length === 0)
      throw new Error(
        `stages.${name}.train: the student has no parameters in ${this.config.stages[name].train.join(', ')}`,
      );
    const { training } = this.config;
    this.optimizer = new ModelOptimizer(parameters, {
      learningRate: this.config.stages[name].learningRate,
      betas: training.betas,
      eps: training.eps,
      weightDecay: training.weightDecay,
    });
    this.optimizerStage = name;
    this.reporter.log(
      `stage ${name}: training ${parameters.trainable.length} tensors (${this.config.stages[name].train.join(', ')})`,
    );
  }

  private async step(
    loader: BatchLoader,
    learningRate: number,
  ): Promise<StepFigures & { gradNorm: number }> {
    const { training } = this.config;
    const micro = training.gradientAccumulation;
    const kept: Tensor[][] = [];
    for (let index = 0; index < micro; index++)
      kept.push(await this.microStep(loader.next(), micro));
    const optimizer = this.optimizer!;
    const grads = optimizer.parameters.flatMap((parameter) =>
      parameter.grad ? [parameter.grad] : [],
    );
    const norm = clipGradNorm(grads, training.clipNorm ?? 3e38);
    optimizer.step(learningRate);
    optimizer.zeroGrad();
    const layers = this.student.config.num_hidden_layers;
    const figures: StepFigures = {
      total: 0,
      ce: 0,
      distill: 0,
      pa: new Array<number>(layers).fill(0),
      balance: new Array<number>(layers).fill(0),
      agreement: new Array<number>(layers).fill(0),
      ffnDistill: new Array<number>(layers).fill(0),
    };
    for (const tensors of kept) {
      const values = await Promise.all(tensors.map(async (one) => (await one.read())[0]! / micro));
      for (const one of tensors) one.dispose();
      const [total, ce, distill, ...rest] = values;
      figures.total += total!;
      figures.ce += ce!;
      figures.distill += distill!;
      for (let layer = 0; layer < layers; layer++) {
        figures.pa[layer]! += rest[layer]!;
        figures.balance[layer]! += rest[layers + layer]!;
        figures.agreement[layer]! += rest[2 * layers + layer]!;
        figures.ffnDistill[layer]! += rest[3 * layers + layer] ?? 0;
      }
    }
    const gradNorm = (await norm.read())[0]!;
    norm.dispose();
    return { ...figures, gradNorm };
  }

  /**
   * Forward and backward of one micro-batch (its loss weighted 1/`micro`); returns the one-element
   * tensors to log: total, CE, distillation, then per layer PA, balance, router agreement and
   * (when on) FFN distillation.
   */
  private async microStep(batch: TrainingBatch, micro: number): Promise<Tensor[]> {
    const gpu = this.student.parameters.get('model.embed_tokens.weight').engine.gpu;
    const ids = tensor(gpu, batch.inputs, [batch.inputs.length]);
    const targets = tensor(gpu, batch.targets, [batch.targets.length]);
    const sequences = { ids, batch: batch.batchSize, positions: batch.sequenceLength };
    const teacherPass = noGrad(() => this.teacher.logits(sequences, { captureFeedForward: true }));
    const labels = teacherPass.feedForward.map((capture, layer) => this.label(capture, layer));
    teacherPass.activations.dispose(teacherPass.output);
    const meanSquares =
      this.config.loss.ffnDistill > 0
        ? await Promise.all(teacherPass.feedForward.map(({ output }) => meanSquareOf(output)))
        : [];
    const pass = this.student.logits(sequences);
    const ffnDistill = meanSquares.map((meanSquare, layer) =>
      ffnDistillLoss(
        teacherPass.feedForward[layer]!,
        this.expertsOf(layer),
        this.student.moe!,
        pass.activations,
        meanSquare,
      ),
    );
    const loss = finetuneLoss(
      {
        logits: pass.output,
        targets,
        teacherLogits: teacherPass.output,
        routerLogits: pass.routerLogits,
        labels,
        topKCount: this.topK,
        ffnDistill,
      },
      this.config.loss,
      pass.activations,
    );
    const agreement = pass.routerLogits.map((logits, layer) =>
      noGrad(() => {
        const choice = topK(logits, this.topK);
        const share = routerAgreement(choice.mask, labels[layer]!, this.topK);
        choice.mask.dispose();
        choice.indices.dispose();
        return share;
      }),
    );
    const keep = [
      loss.total,
      loss.ce,
      loss.distill,
      ...loss.pa,
      ...loss.balance,
      ...loss.ffnDistill,
    ];
    const weighted = micro > 1 ? scale(loss.total, 1 / micro) : loss.total;
    backward(weighted, { keep });
    for (const term of keep) pass.activations.handOver(term);
    pass.activations.dispose();
    for (const label of labels) label.dispose();
    // The FFN distillation's tape read the captures, so they live until backward is done.
    for (const capture of teacherPass.feedForward) {
      capture.input.dispose();
      capture.output.dispose();
    }
    for (const done of [teacherPass.output, ids, targets]) done.dispose();
    if (weighted !== loss.total) weighted.dispose();
    const logged = keep.slice(0, keep.length - loss.ffnDistill.length);
    return [...logged, ...agreement, ...loss.ffnDistill];
  }

  /** The PA label of `layer` from the teacher's FFN input and output there. */
  private label(capture: FeedForwardCapture, layer: number): PaLabel {
    const weights = this.expertsOf(layer);
    const shared = weights.shared && sharedOutput(capture.input, weights.shared);
    const label = paLabel(capture, weights, this.topK, shared);
    shared?.dispose();
    return label;
  }

  private expertsOf(layer: number): MoeWeights {
    const weights = moeWeightsOf(this.student.parameters, layer);
    if (!weights) throw new Error(`student: layer ${layer}'s FFN is not a mixture of experts`);
    return weights;
  }

  private summary(): Record<string, number> {
    const summary: Record<string, number> = {
      steps: this.state.step,
      [METRICS.tokensSeen]: this.state.tokensSeen,
      training_seconds: this.state.trainingSeconds,
      [METRICS.tokensPerS]: this.state.tokensSeen / Math.max(this.state.trainingSeconds, 1e-9),
    };
    if (this.last) {
      summary[METRICS.trainLoss] = this.last.total;
      summary[FINETUNE.ceLoss] = this.last.ce;
      summary[FINETUNE.distillLoss] = this.last.distill;
      summary[FINETUNE.paLoss] = sumOf(this.last.pa);
      summary[FINETUNE.routerAccuracy] = sumOf(this.last.agreement) / this.last.agreement.length;
    }
    return { ...summary, ...this.files.validationSummary() };
  }
}

function sumOf(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function perLayer(key: string, values: readonly number[]): Record<string, number> {
  return Object.fromEntries(values.map((value, layer) => [layerMetric(layer, key), value]));
}

/** The always-on shared expert applied to `input` [tokens, d], without gradients. */
function sharedOutput(input: Tensor, shared: NonNullable<MoeWeights['shared']>): Tensor {
  return noGrad(() => {
    const activations = new Activations();
    const output = activations.handOver(sharedExpertForward(input, shared, activations));
    activations.dispose();
    return output;
  });
}
