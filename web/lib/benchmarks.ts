import { gql } from './graphql.ts';

/** A run's latest benchmark row: how fast the configuration decoded, and against what bound. */
export interface BenchmarkRow {
  batch: number;
  promptLen: number;
  genLen: number;
  dtype: string | null;
  prefillTokS: number;
  decodeTokS: number;
  decodeP50Ms: number | null;
  decodeP95Ms: number | null;
  speedup: number | null;
  bound: number | null;
  efficiency: number | null;
  device: unknown;
}

export const BENCHMARK_FIELDS = `batch promptLen genLen dtype prefillTokS decodeTokS decodeP50Ms
  decodeP95Ms speedup bound efficiency device`;

/** Runs per request: the API prices a run's benchmark list at about 120 of its 5,000 cost limit. */
const RUNS_PER_REQUEST = 20;

/** The benchmark rows of `runCount` runs, one alias each (`r0`, `r1`, ...). */
export function latestBenchmarksDocument(runCount: number): string {
  const indexes = Array.from({ length: runCount }, (_, i) => i);
  const parameters = indexes.map((i) => `$id${i}: ID!`).join(', ');
  const fields = indexes
    .map((i) => `r${i}: run(id: $id${i}) { benchmarks { ${BENCHMARK_FIELDS} } }`)
    .join('\n');
  return `query LatestBenchmarks(${parameters}) { ${fields} }`;
}

async function latestOfChunk(runIds: string[]): Promise<(BenchmarkRow | null)[]> {
  const data = await gql<Record<string, { benchmarks: BenchmarkRow[] } | null>>(
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
