// The metric names are documented once, in the engine's metric-keys module: a leaf of constants
// with no imports, the one piece of gpu/ the dashboard reads (it never loads the engine itself).
import {
  EVAL_METRICS,
  FINETUNE_METRICS,
  TRAINING_METRICS,
} from '../../gpu/src/train/metric-keys.ts';

/** One chart of a run page: the metric keys drawn together, and how each line is called. */
export interface ChartGroup {
  /** The chart's title, also its `data-metric`. */
  title: string;
  lines: { key: string; label: string }[];
}

/** Losses drawn on one chart, training and held-out together so overfitting shows. */
const LOSS_KEYS: readonly string[] = [
  TRAINING_METRICS.trainLoss,
  TRAINING_METRICS.validationLoss,
  FINETUNE_METRICS.ceLoss,
  FINETUNE_METRICS.distillLoss,
  FINETUNE_METRICS.paLoss,
  FINETUNE_METRICS.balanceLoss,
];

/** Keys charted in this order, before any other; the rest follow alphabetically. */
const PREFERRED_ORDER: readonly string[] = [
  TRAINING_METRICS.learningRate,
  TRAINING_METRICS.gradNorm,
  TRAINING_METRICS.tokensPerS,
  TRAINING_METRICS.validationPerplexity,
  FINETUNE_METRICS.routerAccuracy,
  EVAL_METRICS.relError,
  EVAL_METRICS.loadEntropy,
];

const LAYER_KEY = /^layers\.(\d+)\.(.+)$/;

/** `layers.3.pa_loss` as its layer and per-layer key, or null for a whole-model key. */
export function parseLayerKey(key: string): { layer: number; key: string } | null {
  const match = LAYER_KEY.exec(key);
  return match === null ? null : { layer: Number(match[1]), key: match[2]! };
}

function rank(key: string): number {
  const at = PREFERRED_ORDER.indexOf(key);
  return at === -1 ? PREFERRED_ORDER.length : at;
}

/**
 * The charts of a run's curves: the losses overlaid on one chart, each per-layer key as one chart
 * with a line per layer (`router_accuracy per layer`), then every other key on its own.
 */
export function chartGroups(keys: readonly string[]): ChartGroup[] {
  const losses = LOSS_KEYS.filter((key) => keys.includes(key));
  const layered = new Map<string, { layer: number; key: string }[]>();
  const single: string[] = [];
  for (const key of keys) {
    const layer = parseLayerKey(key);
    if (layer !== null)
      layered.set(layer.key, [...(layered.get(layer.key) ?? []), { layer: layer.layer, key }]);
    else if (!losses.includes(key)) single.push(key);
  }
  const byRank = (a: string, b: string) => rank(a) - rank(b) || a.localeCompare(b);
  return [
    ...(losses.length > 0
      ? [
          {
            title: 'losses',
            lines: losses.map((key) => ({ key, label: key })),
          },
        ]
      : []),
    ...[...layered.keys()].sort(byRank).map((key) => ({
      title: `${key} per layer`,
      lines: layered
        .get(key)!
        .sort((a, b) => a.layer - b.layer)
        .map((entry) => ({ key: entry.key, label: `layer ${entry.layer}` })),
    })),
    ...single.sort(byRank).map((key) => ({
      title: key,
      lines: [{ key, label: key }],
    })),
  ];
}

/**
 * `keys` in the order the run page charts them (chartGroups' groups, each group's lines), so a
 * page that can fetch only some keys' series fetches the charts drawn first: the losses before a
 * long tail of per-layer and evaluation keys.
 */
export function inChartOrder(keys: readonly string[]): string[] {
  return chartGroups(keys).flatMap((group) => group.lines.map((line) => line.key));
}
