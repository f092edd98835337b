import { EVAL_METRICS, FINETUNE_METRICS } from '../../gpu/src/train/metric-keys.ts';
import { parseLayerKey } from './metric-groups.ts';

/** One layer of a factorised model as its run last reported it; null where it reported nothing. */
export interface LayerRow {
  layer: number;
  /** Share of the router's choices that the PA label also makes. */
  routerAccuracy: number | null;
  /** The MoE FFN's relative squared error against the dense FFN. */
  relError: number | null;
  /** Entropy (nats) of the experts' shares of the choices. */
  loadEntropy: number | null;
  /** Each expert's share of the router's choices, by expert index. */
  expertLoad: (number | null)[];
}

export interface LayerReport {
  layers: LayerRow[];
  /** Experts per layer: one more than the highest expert index reported. */
  experts: number;
}

const EXPERT_LOAD = new RegExp(`^${EVAL_METRICS.expertLoad}\\.(\\d+)$`);

/** Whether `key` is one expert's share of a layer's choices (`layers.2.expert_load.3`). */
export function isExpertLoadKey(key: string): boolean {
  const layer = parseLayerKey(key);
  return layer !== null && EXPERT_LOAD.test(layer.key);
}

/**
 * The per-layer figures of a factorised run (router accuracy, relative error, load entropy and
 * every expert's share) from its latest metric values, or null when it reports none of them.
 */
export function layerReport(
  metrics: readonly { key: string; value: number }[],
): LayerReport | null {
  const rows = new Map<number, LayerRow>();
  const rowOf = (layer: number) => {
    let row = rows.get(layer);
    if (!row) {
      row = { layer, routerAccuracy: null, relError: null, loadEntropy: null, expertLoad: [] };
      rows.set(layer, row);
    }
    return row;
  };
  for (const { key, value } of metrics) {
    const parsed = parseLayerKey(key);
    if (parsed === null) continue;
    const expert = EXPERT_LOAD.exec(parsed.key);
    if (expert) rowOf(parsed.layer).expertLoad[Number(expert[1])] = value;
    else if (parsed.key === FINETUNE_METRICS.routerAccuracy)
      rowOf(parsed.layer).routerAccuracy = value;
    else if (parsed.key === EVAL_METRICS.relError) rowOf(parsed.layer).relError = value;
    else if (parsed.key === EVAL_METRICS.loadEntropy) rowOf(parsed.layer).loadEntropy = value;
  }
  if (rows.size === 0) return null;
  const layers = [...rows.values()].sort((a, b) => a.layer - b.layer);
  const experts = Math.max(0, ...layers.map((row) => row.expertLoad.length));
  for (const row of layers) {
    row.expertLoad = Array.from({ length: experts }, (_, expert) => row.expertLoad[expert] ?? null);
  }
  return { layers, experts };
}
