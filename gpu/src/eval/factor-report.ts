import { EVAL_METRICS as EVAL, layerMetric } from '../train/metric-keys.ts';
import type { MultipleChoiceScore } from './multiple-choice.ts';
import type { LayerQuality, ModelQuality, StudentQuality } from './student-quality.ts';

/** A baseline's quality beside the student's: its perplexity, accuracy and retention. */
export interface BaselineQuality {
  perplexity: number;
  accuracy: number;
  retention: number;
}

export const BASELINES = ['untrainedRouter', 'randomRouter', 'oracleRouter'] as const;
export type BaselineName = (typeof BASELINES)[number];

/** What `lab eval` and `lab pipeline` print about a factorised student (the shape). */
export interface FactorReport {
  dense: { perplexity: number; accuracy: number; loss: number };
  student: {
    perplexity: number;
    accuracy: number;
    loss: number;
    klToTeacher: number;
    top1Agreement: number;
  };
  /** Student accuracy / dense accuracy. */
  retention: number;
  /** Student perplexity / dense perplexity. */
  perplexityRatio: number;
  baselines: Partial<Record<BaselineName, BaselineQuality>>;
  layers: LayerQuality[];
  /** Multiple-choice tasks by name: each model's accuracy. */
  tasks: Record<string, { dense: MultipleChoiceScore; student: MultipleChoiceScore }>;
  /** Targets scored, and the split. */
  tokens: number;
  split: string;
  speed?: { denseDecodeTokS: number; decodeTokS: number; speedup: number; bound: number };
}

export function factorReport(
  split: string,
  dense: ModelQuality,
  student: StudentQuality,
  baselines: Partial<Record<BaselineName, ModelQuality>>,
): FactorReport {
  return {
    dense: { perplexity: dense.perplexity, accuracy: dense.accuracy, loss: dense.loss },
    student: {
      perplexity: student.perplexity,
      accuracy: student.accuracy,
      loss: student.loss,
      klToTeacher: student.klToTeacher,
      top1Agreement: student.top1Agreement,
    },
    retention: student.accuracy / dense.accuracy,
    perplexityRatio: student.perplexity / dense.perplexity,
    baselines: Object.fromEntries(
      Object.entries(baselines).map(([name, quality]) => [
        name,
        {
          perplexity: quality.perplexity,
          accuracy: quality.accuracy,
          retention: quality.accuracy / dense.accuracy,
        },
      ]),
    ),
    layers: student.layers,
    tasks: {},
    tokens: student.tokens,
    split,
  };
}

const BASELINE_KEYS: Record<BaselineName, string> = {
  untrainedRouter: 'untrained_router',
  randomRouter: 'random_router',
  oracleRouter: 'oracle_router',
};

/** The report as flat metric values under EVAL_METRICS' names (run summaries, leaderboards). */
export function reportMetrics(report: FactorReport): Record<string, number> {
  const values: Record<string, number> = {
    [EVAL.densePerplexity]: report.dense.perplexity,
    [EVAL.denseAccuracy]: report.dense.accuracy,
    [EVAL.perplexity]: report.student.perplexity,
    [EVAL.accuracy]: report.student.accuracy,
    [EVAL.retention]: report.retention,
    [EVAL.perplexityRatio]: report.perplexityRatio,
    [EVAL.klToTeacher]: report.student.klToTeacher,
    [EVAL.top1Agreement]: report.student.top1Agreement,
  };
  report.layers.forEach((layer, index) => {
    values[layerMetric(index, EVAL.relError)] = layer.relError;
    values[layerMetric(index, 'router_accuracy')] = layer.routerAccuracy;
    values[layerMetric(index, EVAL.loadEntropy)] = layer.loadEntropy;
    layer.expertLoad.forEach((share, expert) => {
      values[layerMetric(index, `${EVAL.expertLoad}.${expert}`)] = share;
    });
  });
  for (const [name, quality] of Object.entries(report.baselines) as [
    BaselineName,
    BaselineQuality,
  ][]) {
    const prefix = `${EVAL.baselinePrefix}.${BASELINE_KEYS[name]}`;
    values[`${prefix}.perplexity`] = quality.perplexity;
    values[`${prefix}.accuracy`] = quality.accuracy;
    values[`${prefix}.retention`] = quality.retention;
  }
  for (const [name, { dense, student }] of Object.entries(report.tasks)) {
    const prefix = `${EVAL.taskPrefix}.${name}`;
    values[`${prefix}.accuracy`] = student.accuracy;
    values[`${prefix}.accuracy_norm`] = student.accuracyNorm;
    values[`${prefix}.dense_accuracy`] = dense.accuracy;
    values[`${prefix}.dense_accuracy_norm`] = dense.accuracyNorm;
  }
  if (report.speed) {
    values[EVAL.denseDecodeTokensPerS] = report.speed.denseDecodeTokS;
    values[EVAL.decodeTokensPerS] = report.speed.decodeTokS;
    values[EVAL.speedup] = report.speed.speedup;
    values[EVAL.bound] = report.speed.bound;
  }
  return values;
}
