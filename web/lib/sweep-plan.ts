/**
 * The sweep builder's arithmetic: the parameters as typed, read into the API's QueueSweepInput,
 * and how many runs the sweep will queue, checked against its cap before anything is sent.
 *
 * The API counts and refuses in api/src/graphql/sweeps/sweep-points.ts. That module throws
 * GraphQL errors and draws random points with the engine's seeded generator, so the dashboard
 * (which talks to the API over GraphQL only) mirrors its rules here instead of importing it;
 * test/web/sweep-plan.test.ts holds the two to the same counts and the same refusals.
 */

export type SweepStrategy = 'GRID' | 'RANDOM';

/** The API's default cap (QueueSweepInput.maxRuns) and the most any sweep may ask for. */
export const DEFAULT_MAX_RUNS = 100;
export const SWEEP_RUN_LIMIT = 500;

/** One parameter row of the builder, as typed. */
export interface ParameterDraft {
  path: string;
  /** Comma-separated values (`8, 16, 32`, `"a", "b"`), or a JSON array. */
  values: string;
  min: string;
  max: string;
  logScale: boolean;
  integer: boolean;
}

/** A parameter row with nothing typed in it. */
export function blankParameter(): ParameterDraft {
  return { path: '', values: '', min: '', max: '', logScale: false, integer: false };
}

export interface SweepDraft {
  strategy: SweepStrategy;
  parameters: ParameterDraft[];
  samples: string;
  seed: string;
  maxRuns: string;
}

/** A SweepParameter of the API. */
export interface SweepParameterInput {
  path: string;
  values?: unknown[];
  min?: number;
  max?: number;
  logScale: boolean;
  integer: boolean;
}

/** What the builder cannot send, at the input the API would name (`parameters.0.values`). */
export interface SweepProblem {
  field: string;
  message: string;
}

export interface SweepPlan {
  /** The runs the sweep will queue; null while the parameters do not say. */
  runs: number | null;
  maxRuns: number;
  /** The parameters to send: blank rows left out. */
  parameters: SweepParameterInput[];
  /** For each parameter sent, the builder row it came from (the API's index is the sent one). */
  rows: number[];
  samples: number | null;
  seed: number;
  problems: SweepProblem[];
}

/** The runs a sweep makes, as the API counts them: the grid's product of value counts, or samples. */
export function sweepRunCount(
  strategy: SweepStrategy,
  valueCounts: readonly number[],
  samples: number | null,
): number {
  if (strategy === 'GRID') return valueCounts.reduce((product, count) => product * count, 1);
  return samples ?? 0;
}

/**
 * `8, 16, 32` as [8, 16, 32]: each item read as JSON where it is JSON (numbers, true, "quoted"),
 * else as the string typed (`kmeans`); a text starting with `[` is read as one JSON array.
 */
export function parseSweepValues(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) {
    const parsed: unknown = JSON.parse(trimmed);
    if (!Array.isArray(parsed)) throw new Error('is not a JSON array');
    return parsed;
  }
  return trimmed
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      try {
        return JSON.parse(item) as unknown;
      } catch {
        return item;
      }
    });
}

function isBlank(row: ParameterDraft): boolean {
  return [row.path, row.values, row.min, row.max].every((text) => text.trim() === '');
}

function numberOf(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : Number.NaN;
}

/** Reads the builder into the API's input, its run count, and what the API would refuse. */
export function planSweep(draft: SweepDraft): SweepPlan {
  const problems: SweepProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ field, message });

  const maxRunsTyped = numberOf(draft.maxRuns);
  const maxRuns = maxRunsTyped ?? DEFAULT_MAX_RUNS;
  if (!Number.isInteger(maxRuns) || maxRuns < 1 || maxRuns > SWEEP_RUN_LIMIT) {
    problem('maxRuns', `must be an integer from 1 to ${SWEEP_RUN_LIMIT}`);
  }
  const seedTyped = numberOf(draft.seed);
  const seed = seedTyped ?? 1;
  if (!Number.isInteger(seed)) problem('seed', 'must be an integer');

  const parameters: SweepParameterInput[] = [];
  const rows: number[] = [];
  const valueCounts: number[] = [];
  const paths = new Set<string>();
  draft.parameters.forEach((row, rowIndex) => {
    if (isBlank(row)) return;
    const field = `parameters.${parameters.length}`;
    const path = row.path.trim();
    if (!/^[^.]+(\.[^.]+)*$/.test(path)) problem(`${field}.path`, 'is not a dotted path');
    else if (paths.has(path)) problem(`${field}.path`, 'is given twice');
    paths.add(path);
    let values: unknown[] = [];
    try {
      values = parseSweepValues(row.values);
    } catch (error) {
      problem(`${field}.values`, error instanceof Error ? error.message : String(error));
    }
    const min = numberOf(row.min);
    const max = numberOf(row.max);
    const parameter: SweepParameterInput = {
      path,
      logScale: row.logScale,
      integer: row.integer,
    };
    if (values.length > 0) parameter.values = values;
    if (draft.strategy === 'GRID') {
      if (values.length === 0) problem(`${field}.values`, 'a GRID sweep needs a list of values');
    } else if (values.length === 0) {
      if (min === null || max === null) problem(field, 'give values, or min and max');
      else if (Number.isNaN(min)) problem(`${field}.min`, 'is not a number');
      else if (Number.isNaN(max)) problem(`${field}.max`, 'is not a number');
      else if (min > max) problem(`${field}.min`, 'is greater than max');
      else if (row.logScale && min <= 0) problem(`${field}.min`, 'must be positive on a log scale');
      if (min !== null && max !== null && !Number.isNaN(min) && !Number.isNaN(max)) {
        parameter.min = min;
        parameter.max = max;
      }
    }
    parameters.push(parameter);
    rows.push(rowIndex);
    valueCounts.push(values.length);
  });
  if (parameters.length === 0) problem('parameters', 'give at least one parameter');

  let samples: number | null = null;
  if (draft.strategy === 'RANDOM') {
    samples = numberOf(draft.samples);
    if (samples === null || !Number.isInteger(samples) || samples < 1) {
      problem('samples', 'a RANDOM sweep needs samples >= 1');
      samples = null;
    }
  }

  const countable =
    parameters.length > 0 &&
    (draft.strategy === 'GRID' ? valueCounts.every((count) => count > 0) : samples !== null);
  const runs = countable ? sweepRunCount(draft.strategy, valueCounts, samples) : null;
  if (runs !== null && runs > maxRuns) {
    if (draft.strategy === 'GRID') {
      problem('parameters', `the grid has ${runs} points, more than maxRuns (${maxRuns})`);
    } else {
      problem('samples', `is more than maxRuns (${maxRuns})`);
    }
  }
  return { runs, maxRuns, parameters, rows, samples, seed, problems };
}
