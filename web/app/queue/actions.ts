'use server';

import { redirect } from 'next/navigation';
import { ApiError } from '../../lib/graphql.ts';
import { fetchJobKinds, queueExperiment } from '../../lib/job-kinds.ts';
import { FieldError, formFields, readFieldValue, setPath } from '../../lib/schema-form.ts';
import {
  blankParameter,
  planSweep,
  type ParameterDraft,
  type SweepPlan,
} from '../../lib/sweep-plan.ts';
import { queueSweep } from '../../lib/sweeps.ts';

/** What the queue form shows after a try: the error, and the config field it belongs to. */
export interface QueueState {
  error: string | null;
  /** A config path such as `size`, or `name`, `tags`, `priority`; null for the form as a whole. */
  field: string | null;
}

/**
 * What both queue forms post besides their own parts: the job's config fields, each read as its
 * schema says (blanks left out), and the run's name, tags and priority. Throws FieldError.
 */
async function readQueueForm(kind: string, form: FormData) {
  const job = (await fetchJobKinds()).find((one) => one.kind === kind);
  if (job === undefined) return undefined;
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
  return { config, tags, priority, ...(name === '' ? {} : { name }) };
}

/** Queues one run of `kind` from the form: each field read as its schema says, blanks left out. */
export async function queueAction(
  kind: string,
  _: QueueState,
  form: FormData,
): Promise<QueueState> {
  let runId: string;
  try {
    const posted = await readQueueForm(kind, form);
    if (posted === undefined) return { error: `unknown job kind "${kind}"`, field: null };
    runId = await queueExperiment({ kind, ...posted });
  } catch (error) {
    if (error instanceof FieldError) return { error: error.message, field: error.path };
    if (error instanceof ApiError) {
      return { error: error.message, field: error.field?.replace(/^config\./, '') ?? null };
    }
    return { error: error instanceof Error ? error.message : String(error), field: null };
  }
  redirect(`/runs/${runId}`);
}

/** What the sweep builder shows after a try: each refusal at the input it names. */
export interface SweepState {
  /**
   * Refusals by the builder's input: `row.2` (a parameter row), `parameters`, `samples`, `maxRuns`,
   * `seed`, `config.size` (a base config field), `name`, `tags`, `priority`, or `form`.
   */
  errors: { at: string; message: string }[];
}

/** The builder's parameter rows as posted: `param.<row>.path`, `.values`, `.min`, ... */
function parameterDrafts(form: FormData): ParameterDraft[] {
  const rows = new Set<number>();
  for (const key of form.keys()) {
    const match = /^param\.(\d+)\./.exec(key);
    if (match) rows.add(Number(match[1]));
  }
  const text = (row: number, name: string) => String(form.get(`param.${row}.${name}`) ?? '');
  const drafts: ParameterDraft[] = [];
  for (const row of [...rows].sort((a, b) => a - b)) {
    drafts[row] = {
      path: text(row, 'path'),
      values: text(row, 'values'),
      min: text(row, 'min'),
      max: text(row, 'max'),
      logScale: form.get(`param.${row}.log`) !== null,
      integer: form.get(`param.${row}.integer`) !== null,
    };
  }
  return Array.from(drafts, (draft) => draft ?? blankParameter());
}

/**
 * Where the builder shows an input's refusal: `parameters.1.values` at the row it came from, a
 * config path a parameter varies at that parameter's row, another at the base config's field.
 */
function placeOf(field: string | null, plan: SweepPlan): string {
  if (field === null) return 'form';
  const parameter = /^parameters\.(\d+)(\.|$)/.exec(field);
  if (parameter) {
    const row = plan.rows[Number(parameter[1])];
    return row === undefined ? 'parameters' : `row.${row}`;
  }
  if (field.startsWith('config.')) {
    const path = field.slice('config.'.length);
    const varied = plan.parameters.findIndex(
      (one) => path === one.path || path.startsWith(`${one.path}.`),
    );
    return varied >= 0 ? `row.${plan.rows[varied]}` : field;
  }
  if (field.startsWith('baseConfig.')) return `config.${field.slice('baseConfig.'.length)}`;
  if (/^tags\.\d+$/.test(field)) return 'tags';
  return field;
}

/**
 * Queues a sweep of `kind` from the builder: the base config read as the single-run form reads
 * it, the parameters planned and counted as the builder showed them (refused here, before the API,
 * when over the cap), then the API's own checks, each refusal placed at its input.
 */
export async function queueSweepAction(
  kind: string,
  _: SweepState,
  form: FormData,
): Promise<SweepState> {
  const strategy = form.get('strategy') === 'RANDOM' ? 'RANDOM' : 'GRID';
  const plan = planSweep({
    strategy,
    parameters: parameterDrafts(form),
    samples: String(form.get('samples') ?? ''),
    seed: String(form.get('seed') ?? ''),
    maxRuns: String(form.get('maxRuns') ?? ''),
  });
  if (plan.problems.length > 0) {
    return {
      errors: plan.problems.map((problem) => ({
        at: placeOf(problem.field, plan),
        message: problem.message,
      })),
    };
  }
  let sweepId: string;
  try {
    const posted = await readQueueForm(kind, form);
    if (posted === undefined) {
      return { errors: [{ at: 'form', message: `unknown job kind "${kind}"` }] };
    }
    const { config: baseConfig, ...run } = posted;
    sweepId = await queueSweep({
      kind,
      baseConfig,
      parameters: plan.parameters,
      strategy,
      seed: plan.seed,
      maxRuns: plan.maxRuns,
      ...run,
      ...(plan.samples === null ? {} : { samples: plan.samples }),
    });
  } catch (error) {
    if (error instanceof FieldError) {
      return { errors: [{ at: `config.${error.path}`, message: error.message }] };
    }
    const message = error instanceof Error ? error.message : String(error);
    const field = error instanceof ApiError ? error.field : null;
    return { errors: [{ at: placeOf(field, plan), message }] };
  }
  redirect(`/sweeps/${sweepId}`);
}
