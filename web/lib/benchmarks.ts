import { graphql } from './generated/gql.ts';
import type { BenchmarkFieldsFragment } from './generated/graphql.ts';
import { gql } from './graphql.ts';
import { runTimeDocument, type RunTimeDocument } from './run-time-document.ts';

/** The fields of a benchmark row the dashboard shows. */
export const BENCHMARK_FIELDS = graphql(`
  fragment BenchmarkFields on Benchmark {
    batch
    promptLen
    genLen
    dtype
    prefillTokS
    decodeTokS
    decodeP50Ms
    decodeP95Ms
    speedup
    bound
    efficiency
    device
  }
`);

/** A run's latest benchmark row: how fast the configuration decoded, and against what bound. */
export type BenchmarkRow = BenchmarkFieldsFragment;

/** Runs per request: the API prices a run's benchmark list at about 120 of its 5,000 cost limit. */
const RUNS_PER_REQUEST = 20;

/** The benchmark rows of `runCount` runs, one alias each (`r0`, `r1`, ...). */
export function latestBenchmarksDocument(
  runCount: number,
): RunTimeDocument<Record<string, { benchmarks: BenchmarkRow[] } | null>> {
  const indexes = Array.from({ length: runCount }, (_, i) => i);
  const parameters = indexes.map((i) => `$id${i}: ID!`).join(', ');
  const fields = indexes
    .map((i) => `r${i}: run(id: $id${i}) { benchmarks { ...BenchmarkFields } }`)
    .join('\n');
  return runTimeDocument(`query LatestBenchmarks(${parameters}) { ${fields} }`, BENCHMARK_FIELDS);
}

async function latestOfChunk(runIds: string[]): Promise<(BenchmarkRow | null)[]> {
  const data = await gql(
    latestBenchmarksDocument(runIds.length),
    Object.fromEntries(runIds.map((id, i) => [`id${i}`, id])),
  );
  return runIds.map((_, i) => data[`r${i}`]?.benchmarks[0] ?? null);
}

/** Each run's newest benchmark row (the API lists them newest first), or null when it has none. */
export async function fetchLatestBenchmarks(
  runIds: string[],
): Promise<Map<string, BenchmarkRow | null>> {
  const chunks: string[][] = [];
  for (let start = 0; start < runIds.length; start += RUNS_PER_REQUEST) {
    chunks.push(runIds.slice(start, start + RUNS_PER_REQUEST));
  }
  const latest = (await Promise.all(chunks.map(latestOfChunk))).flat();
  return new Map(runIds.map((id, i) => [id, latest[i] ?? null]));
}
