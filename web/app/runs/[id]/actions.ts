'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import {
  cancelRun,
  cloneRun,
  configPatch,
  retryRun,
  type ActionOutcome,
} from '../../../lib/run-actions.ts';
import { fetchRun } from '../../../lib/runs.ts';

/** What the run page's action forms show after an action: nothing yet, or why it failed. */
export interface ActionState {
  error: string | null;
}

function errorOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function settle(pending: Promise<ActionOutcome>, thenVisit: (runId: string) => string) {
  let outcome: ActionOutcome;
  try {
    outcome = await pending;
  } catch (error) {
    return { error: errorOf(error) };
  }
  if (outcome.error !== undefined) return { error: outcome.error };
  const href = thenVisit(outcome.runId);
  revalidatePath(href);
  redirect(href);
}

export async function cancelAction(runId: string, _: ActionState): Promise<ActionState> {
  return settle(cancelRun(runId), (id) => `/runs/${id}`);
}

export async function retryAction(runId: string, _: ActionState): Promise<ActionState> {
  return settle(retryRun(runId), (id) => `/runs/${id}`);
}

/** Clone and edit: the edited config is sent as the patch of what changed. */
export async function cloneAction(
  runId: string,
  _: ActionState,
  form: FormData,
): Promise<ActionState> {
  const text = String(form.get('config') ?? '');
  const name = String(form.get('name') ?? '').trim();
  let edited: unknown;
  try {
    edited = JSON.parse(text);
  } catch (error) {
    return { error: `config: not valid JSON (${errorOf(error)})` };
  }
  if (typeof edited !== 'object' || edited === null || Array.isArray(edited)) {
    return { error: 'config: must be a JSON object' };
  }
  let base: unknown;
  try {
    base = (await fetchRun(runId))?.config;
  } catch (error) {
    return { error: errorOf(error) };
  }
  const { patch, removed } = configPatch(base, edited);
  if (removed.length > 0) {
    return {
      error: `config: a clone keeps every key of the original; set ${removed.join(', ')} to another value instead of removing it`,
    };
  }
  return settle(cloneRun(runId, patch, name === '' ? null : name), (id) => `/runs/${id}`);
}
