import { EVAL_METRICS } from '../../gpu/src/train/metric-keys.ts';
import type { ComparedRun, RunComparison } from './compare.ts';
import { formatMetric, shortId } from './format.ts';
import { shortDeviceName, summarizeDevice } from './runs.ts';

/** One compared run's decode speed, with the dense model's measured in the same run if any. */
export interface DecodeBar {
  runId: string;
  /** Short id, factorisation and device, as the bar group is labelled. */
  label: string;
  decodeTokS: number;
  /** The dense source's decode tokens/s, measured in the same run on the same device. */
  denseDecodeTokS: number | null;
}

function label(run: ComparedRun): string {
  const device = summarizeDevice(run.device);
  return [
    shortId(run.id),
    run.factorisation?.label ?? run.kind,
    device === null ? null : shortDeviceName(device.name),
  ]
    .filter((part) => part !== null)
    .join(' · ');
}

/**
 * The compared runs that report a decode speed, each with its dense model's speed from the same
 * run: both were measured on one device in one sitting, so they can stand side by side.
 */
export function decodeBars(comparison: RunComparison): DecodeBar[] {
  const values = (key: string) =>
    comparison.metrics.find((metric) => metric.key === key)?.values ?? [];
  const decode = values(EVAL_METRICS.decodeTokensPerS);
  const dense = values(EVAL_METRICS.denseDecodeTokensPerS);
  return comparison.runs.flatMap((run, index) => {
    const decodeTokS = decode[index] ?? null;
    if (decodeTokS === null) return [];
    return [
      { runId: run.id, label: label(run), decodeTokS, denseDecodeTokS: dense[index] ?? null },
    ];
  });
}

/** The bar's figure as the chart and its table print it. */
export function formatTokS(value: number | null): string {
  return value === null ? '—' : `${formatMetric(value)} tok/s`;
}
