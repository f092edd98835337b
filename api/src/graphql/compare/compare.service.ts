import type { Db } from '../../db/client.ts';
import { badUserInput, notFoundIds } from '../errors.ts';
import { isUuid } from '../ids.ts';
import type { ConfigComparison, MetricComparison, RunComparison } from './compare.type.ts';
import { flattenConfig } from './flatten-config.ts';

export const COMPARE_RUNS = { min: 2, max: 50 } as const;

function checkRunIds(runIds: readonly string[]): void {
  if (runIds.length < COMPARE_RUNS.min || runIds.length > COMPARE_RUNS.max) {
    throw badUserInput('runIds', `give ${COMPARE_RUNS.min} to ${COMPARE_RUNS.max} run ids`);
  }
  const seen = new Set<string>();
  runIds.forEach((id, i) => {
    if (!isUuid(id)) throw badUserInput(`runIds.${i}`, 'is not a run id (a UUID)');
    if (seen.has(id.toLowerCase())) throw badUserInput(`runIds.${i}`, 'repeats an earlier id');
    seen.add(id.toLowerCase());
  });
}

function sortedKeys(maps: readonly Map<string, unknown>[]): string[] {
  return [...new Set(maps.flatMap((map) => [...map.keys()]))].sort();
}

function compareConfigs(configs: readonly unknown[], differingOnly: boolean): ConfigComparison[] {
  const flat = configs.map((config) => flattenConfig(config));
  return sortedKeys(flat)
    .map((key) => {
      const values = flat.map((map) => (map.has(key) ? map.get(key) : undefined));
      // Absent and JSON null differ: one run lacks the key, the other set it to null.
      const differs = new Set(values.map((value) => JSON.stringify(value) ?? '')).size > 1;
      return { key, values: values.map((value) => value ?? null), differs };
    })
    .filter((row) => row.differs || !differingOnly);
}

/**
 * 2 to 50 runs side by side, in the order given: the union of their flattened config keys (only
 * those that differ, with `differingOnly`) and of their metric keys with each latest value.
 */
export async function compareRuns(
  db: Db,
  runIds: readonly string[],
  differingOnly: boolean,
): Promise<RunComparison> {
  checkRunIds(runIds);
  const ids = runIds.map((id) => id.toLowerCase());
  const [rows, summaries] = await Promise.all([
    db.run.findMany({ where: { id: { in: ids } }, include: { experiment: true } }),
    db.runMetricSummary.findMany({
      where: { runId: { in: ids } },
      select: { runId: true, key: true, lastValue: true },
    }),
  ]);
  const byId = new Map(rows.map((row) => [row.id, row]));
  const missing = runIds.filter((_, i) => !byId.has(ids[i]!));
  if (missing.length > 0) throw notFoundIds('run', missing);
  const runs = ids.map((id) => byId.get(id)!);

  const latest = runs.map(() => new Map<string, unknown>());
  const column = new Map(ids.map((id, i) => [id, latest[i]!]));
  for (const summary of summaries) column.get(summary.runId)?.set(summary.key, summary.lastValue);
  const metrics: MetricComparison[] = sortedKeys(latest).map((key) => ({
    key,
    values: latest.map((map) => (map.get(key) as number | undefined) ?? null),
  }));

  return {
    runs: runs.map((run) => ({
      id: run.id,
      name: run.experiment.name,
      kind: run.experiment.kind,
      status: run.status,
      device: run.device,
    })),
    config: compareConfigs(
      runs.map((run) => run.experiment.config),
      differingOnly,
    ),
    metrics,
  };
}
