import type { Factorisation } from './factorisation.ts';
import { gql } from './graphql.ts';
import type { RunStatus } from './runs.ts';

export interface ComparedRun {
  id: string;
  name: string;
  kind: string;
  status: RunStatus;
  device: unknown;
  /** Split, router, gating, N, k, PA, distillation, or dense; null where the config says none. */
  factorisation: Factorisation | null;
}

/** Runs side by side as the API aligns them: every row's values follow the order of `runs`. */
export interface RunComparison {
  runs: ComparedRun[];
  config: { key: string; values: unknown[]; differs: boolean }[];
  metrics: { key: string; values: (number | null)[] }[];
}

/** The API compares 2 to 50 runs. */
export const COMPARE_QUERY = `query Compare($runIds: [ID!]!, $differingOnly: Boolean!) {
  compare(runIds: $runIds, differingOnly: $differingOnly) {
    runs {
      id name kind status device
      factorisation {
        dense experts topK split router gating sharedExpertSize priorApproximation distillation ffnDistillation label
      }
    }
    config { key values differs }
    metrics { key values }
  }
}`;

export const COMPARE_LIMITS = { min: 2, max: 50 } as const;

export async function fetchComparison(
  runIds: string[],
  differingOnly: boolean,
): Promise<RunComparison> {
  const { compare } = await gql<{ compare: RunComparison }>(COMPARE_QUERY, {
    runIds,
    differingOnly,
  });
  return compare;
}
