'use server';

import { redirect } from 'next/navigation';
import { ApiError } from '../../lib/graphql.ts';
import { fetchJobKinds, queueExperiment } from '../../lib/job-kinds.ts';
import { FieldError, formFields, readFieldValue, setPath } from '../../lib/schema-form.ts';

/** What the queue form shows after a try: the error, and the config field it belongs to. */
export interface QueueState {
  error: string | null;
  /** A config path such as `size`, or `name`, `tags`, `priority`; null for the form as a whole. */
  field: string | null;
}

/** Queues one run of `kind` from the form: each field read as its schema says, blanks left out. */
export async function queueAction(
  kind: string,
  _: QueueState,
  form: FormData,
): Promise<QueueState> {
  let runId: string;
  try {
    const job = (await fetchJobKinds()).find((one) => one.kind === kind);
    if (job === undefined) return { error: `unknown job kind "${kind}"`, field: null };
    const config: Record<string, unknown> = {};
    for (const field of formFields(job.configSchema)) {
      const value = readFieldValue(field, String(form.get(`config.${field.path}`) ?? ''));
      if (value !== undefined) setPath(config, field.path, value);
    }
    const name = String(form.get('name') ?? '').trim();
    const tags = String(form.get('tags') ?? '')
      .split(',')
      .map((tag) => tag.trim())
      .filter((tag) => tag !== '');
    const priority = Number(String(form.get('priority') ?? '0').trim() || '0');
    runId = await queueExperiment({
      kind,
      config,
      tags,
      priority,
      ...(name === '' ? {} : { name }),
    });
  } catch (error) {
    if (error instanceof FieldError) return { error: error.message, field: error.path };
    if (error instanceof ApiError) {
      return { error: error.message, field: error.field?.replace(/^config\./, '') ?? null };
    }
    return { error: error instanceof Error ? error.message : String(error), field: null };
  }
  redirect(`/runs/${runId}`);
}
