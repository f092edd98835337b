import { Field, Float, Int, ObjectType } from 'type-graphql';
import { EVAL_METRICS } from '@factorlab/gpu/metric-keys';
import type { Db } from '../../db/client.ts';

@ObjectType({
  description:
    'One figure over every succeeded run of a configuration: how far repeated runs disagree. ' +
    "Speeds come from each run's latest benchmark row when it has one, as the entry's `speed` does.",
})
export class MetricSpread {
  @Field(() => String, { description: 'The metric key, e.g. `retention` or `speedup`.' })
  key!: string;

  @Field(() => Int, { description: 'How many runs report it.' })
  count!: number;

  @Field(() => Float)
  mean!: number;

  @Field(() => Float)
  min!: number;

  @Field(() => Float)
  max!: number;

  @Field(() => Float, { description: 'Sample standard deviation; 0 for one run.' })
  stdDev!: number;
}

/** The leaderboard's quality figures, read from run summaries. */
const QUALITY_KEYS = [
  EVAL_METRICS.retention,
  EVAL_METRICS.perplexity,
  EVAL_METRICS.accuracy,
  EVAL_METRICS.perplexityRatio,
  EVAL_METRICS.klToTeacher,
  EVAL_METRICS.top1Agreement,
] as const;

/** Speed figures by metric key, and the benchmark column that holds each. */
const SPEED_COLUMNS = {
  decode_tok_s: 'decodeTokS',
  speedup: 'speedup',
  bound: 'bound',
  efficiency: 'efficiency',
} as const;

export const SPREAD_KEYS: readonly string[] = [...QUALITY_KEYS, ...Object.keys(SPEED_COLUMNS)];

/** A configuration as the leaderboard groups runs: job kind and config hash. */
export interface ConfigurationKey {
  kind: string;
  configHash: string;
}

export function spreadOf(key: string, values: readonly number[]): MetricSpread | null {
  if (values.length === 0) return null;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance =
    values.length < 2
      ? 0
      : values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return {
    key,
    count: values.length,
    mean,
    min: Math.min(...values),
    max: Math.max(...values),
    stdDev: Math.sqrt(variance),
  };
}

const groupOf = ({ kind, configHash }: ConfigurationKey) => JSON.stringify([kind, configHash]);

/**
 * Mean and spread of every leaderboard figure over each configuration's succeeded runs, in the
 * order of `configurations` (a DataLoader batch): three queries whatever the page's size.
 */
export async function spreadsByConfiguration(
  db: Db,
  configurations: readonly ConfigurationKey[],
): Promise<MetricSpread[][]> {
  const runs = await db.run.findMany({
    where: {
      status: 'SUCCEEDED',
      experiment: {
        OR: configurations.map(({ kind, configHash }) => ({ kind, configHash })),
      },
    },
    select: { id: true, experiment: { select: { kind: true, configHash: true } } },
  });
  const runIds = runs.map((run) => run.id);
  const [summaries, benchmarks] = await Promise.all([
    db.runMetricSummary.findMany({
      where: { runId: { in: runIds }, key: { in: [...SPREAD_KEYS] } },
      select: { runId: true, key: true, lastValue: true },
    }),
    db.benchmark.findMany({
      where: { runId: { in: runIds } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      distinct: ['runId'],
      select: { runId: true, decodeTokS: true, speedup: true, bound: true, efficiency: true },
    }),
  ]);
  const latestBenchmark = new Map(benchmarks.map((row) => [row.runId, row]));
  const summary = new Map(summaries.map((row) => [`${row.runId}\n${row.key}`, row.lastValue]));
  const valueOf = (runId: string, key: string): number | null => {
    const benchmark = latestBenchmark.get(runId);
    if (benchmark && Object.hasOwn(SPEED_COLUMNS, key)) {
      return benchmark[SPEED_COLUMNS[key as keyof typeof SPEED_COLUMNS]];
    }
    return summary.get(`${runId}\n${key}`) ?? null;
  };
  const runsOf = new Map<string, string[]>();
  for (const run of runs) {
    const group = groupOf(run.experiment);
    runsOf.set(group, [...(runsOf.get(group) ?? []), run.id]);
  }
  return configurations.map((configuration) => {
    const ids = runsOf.get(groupOf(configuration)) ?? [];
    return SPREAD_KEYS.flatMap((key) => {
      const values = ids.map((id) => valueOf(id, key)).filter((value) => value !== null);
      const spread = spreadOf(key, values);
      return spread ? [spread] : [];
    });
  });
}
