import { graphql } from './generated/gql.ts';
import type { ActionPayloadFieldsFragment } from './generated/graphql.ts';
import { gql } from './graphql.ts';

type ActionPayload = ActionPayloadFieldsFragment;

/** What an action on a run came to: the run it acted on or queued, or why it could not. */
export type ActionOutcome = { runId: string; error?: never } | { runId?: never; error: string };

function outcomeOf(payload: ActionPayload): ActionOutcome {
  if (payload.run !== null) return { runId: payload.run.id };
  const message = payload.userErrors
    .map((error) => (error.field ? `${error.field}: ${error.message}` : error.message))
    .join('; ');
  return { error: message || 'the API refused the action without saying why' };
}

export const ACTION_PAYLOAD_FIELDS = graphql(`
  fragment ActionPayloadFields on RunActionPayload {
    run {
      id
    }
    userErrors {
      field
      message
    }
  }
`);

export const CANCEL_RUN_MUTATION = graphql(`
  mutation CancelRun($id: ID!) {
    cancelRun(id: $id) {
      ...ActionPayloadFields
    }
  }
`);

export const RETRY_RUN_MUTATION = graphql(`
  mutation RetryRun($id: ID!) {
    retryRun(id: $id) {
      ...ActionPayloadFields
    }
  }
`);

export const CLONE_RUN_MUTATION = graphql(`
  mutation CloneRun($id: ID!, $configPatch: JSON, $name: String) {
    cloneRun(id: $id, configPatch: $configPatch, name: $name) {
      ...ActionPayloadFields
    }
  }
`);

/** Cancels a queued or running run (a running one stops at its next step). */
export async function cancelRun(id: string): Promise<ActionOutcome> {
  const { cancelRun: payload } = await gql(CANCEL_RUN_MUTATION, { id });
  return outcomeOf(payload);
}

/** Queues a new run of a failed or cancelled run's experiment. */
export async function retryRun(id: string): Promise<ActionOutcome> {
  const { retryRun: payload } = await gql(RETRY_RUN_MUTATION, { id });
  return outcomeOf(payload);
}

/** Queues a new experiment from the run's config with `configPatch` merged in. */
export async function cloneRun(
  id: string,
  configPatch: unknown,
  name: string | null,
): Promise<ActionOutcome> {
  const { cloneRun: payload } = await gql(CLONE_RUN_MUTATION, {
    id,
    configPatch,
    name,
  });
  return outcomeOf(payload);
}

/**
 * The patch that turns `base` into `edited` for a merge that overwrites leaves: the keys whose
 * values changed or were added. A removed key cannot be expressed as a merge; it is reported.
 */
export function configPatch(
  base: unknown,
  edited: unknown,
): { patch: Record<string, unknown>; removed: string[] } {
  const patch: Record<string, unknown> = {};
  const removed: string[] = [];
  const walk = (from: unknown, to: unknown, into: Record<string, unknown>, path: string) => {
    const fromObject = isPlainObject(from) ? from : {};
    if (!isPlainObject(to)) return;
    for (const key of Object.keys(fromObject)) {
      if (!(key in to)) removed.push(path === '' ? key : `${path}.${key}`);
    }
    for (const [key, value] of Object.entries(to)) {
      const before = fromObject[key];
      if (isPlainObject(value) && isPlainObject(before)) {
        const nested: Record<string, unknown> = {};
        walk(before, value, nested, path === '' ? key : `${path}.${key}`);
        if (Object.keys(nested).length > 0) into[key] = nested;
      } else if (JSON.stringify(value) !== JSON.stringify(before)) {
        into[key] = value;
      }
    }
  };
  walk(base, edited, patch, '');
  return { patch, removed };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
