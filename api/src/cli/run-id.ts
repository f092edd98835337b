import type { LabConfig } from '../config.ts';
import { callApi } from './api-client.ts';

const FULL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The full id of the run a user typed: a whole id as it is, a short one (its first digits, as
 * `lab runs` and the dashboard show) through the API, which says when none or several match.
 */
export async function resolveRunId(lab: LabConfig, typed: string): Promise<string> {
  if (FULL_ID.test(typed)) return typed.toLowerCase();
  const { runId } = await callApi<{ runId: string }>(
    lab,
    'query($prefix: String!) { runId(prefix: $prefix) }',
    { prefix: typed },
  );
  return runId;
}
