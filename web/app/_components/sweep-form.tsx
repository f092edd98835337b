'use client';

import { useActionState, useState, type ReactNode } from 'react';
import { queueSweepAction, type SweepState } from '../queue/actions.ts';
import type { FormField } from '../../lib/schema-form.ts';
import {
  blankParameter,
  DEFAULT_MAX_RUNS,
  planSweep,
  SWEEP_RUN_LIMIT,
  type ParameterDraft,
  type SweepStrategy,
} from '../../lib/sweep-plan.ts';
import { FieldInput, rangeOf, RunFields } from './queue-form.tsx';

const IDLE: SweepState = { errors: [] };

/**
 * A sweep of one job kind: a base config (the job's schema-generated fields), one or more
 * parameters to vary (values for a grid; values or a range for random points) and the cap. The
 * number of runs it will queue is shown as it is typed, and a sweep over the cap is refused here,
 * at the input that makes it too big, before anything is sent; the API's own refusals (a path
 * the config lacks, a point its schema refuses) come back to the input they name.
 */
export function SweepForm({ kind, fields }: { kind: string; fields: FormField[] }) {
  const [state, queue, queueing] = useActionState(queueSweepAction.bind(null, kind), IDLE);
  const [strategy, setStrategy] = useState<SweepStrategy>('GRID');
  const [rows, setRows] = useState<ParameterDraft[]>([blankParameter()]);
  const [samples, setSamples] = useState('');
  const [maxRuns, setMaxRuns] = useState('');
  const [seed, setSeed] = useState('');

  const plan = planSweep({ strategy, parameters: rows, samples, seed, maxRuns });
  // Live, only the cap is judged (a cap that is no number, or a sweep over it): other problems
  // wait for a try, not to nag while typing.
  const capValid = !plan.problems.some((one) => one.field === 'maxRuns');
  const overCap = capValid && plan.runs !== null && plan.runs > plan.maxRuns;
  const capField = strategy === 'GRID' ? 'parameters' : 'samples';
  const live = plan.problems.filter(
    (one) => one.field === 'maxRuns' || (overCap && one.field === capField),
  );
  const errors = [...state.errors, ...live.map((one) => ({ at: one.field, message: one.message }))];
  const slots = new Set([
    ...fields.map((field) => `config.${field.path}`),
    ...rows.map((_, row) => `row.${row}`),
    'parameters',
    'samples',
    'seed',
    'maxRuns',
    'name',
    'tags',
    'priority',
  ]);
  const errorsAt = (at: string): ReactNode => {
    const messages = [...new Set(errors.filter((one) => one.at === at).map((one) => one.message))];
    return messages.map((message) => (
      <span
        key={message}
        className="form-error"
        role="alert"
        data-testid="field-error"
        data-field={at}
      >
        {message}
      </span>
    ));
  };
  const formErrors = [
    ...new Set(errors.filter((one) => !slots.has(one.at)).map((one) => one.message)),
  ];
  const update = (row: number, change: Partial<ParameterDraft>) =>
    setRows(rows.map((draft, i) => (i === row ? { ...draft, ...change } : draft)));

  return (
    <form
      action={queue}
      className="queue-form sweep-form"
      data-testid="sweep-form"
      data-kind={kind}
    >
      <fieldset>
        <legend>Base config</legend>
        {fields.map((field) => (
          <label key={field.path} className="queue-field">
            <span className="field-name">{field.path}</span>
            <FieldInput field={{ ...field, required: false }} />
            <span className="muted field-help">
              {[field.kind, rangeOf(field), field.description].filter(Boolean).join(' · ')}
            </span>
            {errorsAt(`config.${field.path}`)}
          </label>
        ))}
      </fieldset>
      <fieldset className="sweep-parameters" data-testid="sweep-parameters">
        <legend>Parameters</legend>
        <div className="sweep-strategy" role="radiogroup" aria-label="Strategy">
          {(['GRID', 'RANDOM'] as const).map((one) => (
            <label key={one} className="check">
              <input
                type="radio"
                name="strategy"
                value={one}
                checked={strategy === one}
                onChange={() => setStrategy(one)}
                data-testid={`strategy-${one.toLowerCase()}`}
              />
              {one === 'GRID' ? 'grid: every combination' : 'random: sampled points'}
            </label>
          ))}
        </div>
        <datalist id={`sweep-paths-${kind}`}>
          {fields.map((field) => (
            <option key={field.path} value={field.path} />
          ))}
        </datalist>
        {rows.map((draft, row) => (
          <div key={row} className="sweep-parameter" data-testid="sweep-parameter" data-row={row}>
            <label className="queue-field">
              <span className="field-name">path</span>
              <input
                name={`param.${row}.path`}
                value={draft.path}
                onChange={(event) => update(row, { path: event.target.value })}
                list={`sweep-paths-${kind}`}
                placeholder="e.g. size"
                data-testid="parameter-path"
              />
            </label>
            <label className="queue-field">
              <span className="field-name">values</span>
              <input
                name={`param.${row}.values`}
                value={draft.values}
                onChange={(event) => update(row, { values: event.target.value })}
                placeholder={strategy === 'GRID' ? 'comma-separated, e.g. 8, 16, 32' : 'or a range'}
                data-testid="parameter-values"
              />
            </label>
            {strategy === 'RANDOM' && (
              <>
                <label className="queue-field">
                  <span className="field-name">min</span>
                  <input
                    name={`param.${row}.min`}
                    value={draft.min}
                    inputMode="decimal"
                    onChange={(event) => update(row, { min: event.target.value })}
                    data-testid="parameter-min"
                  />
                </label>
                <label className="queue-field">
                  <span className="field-name">max</span>
                  <input
                    name={`param.${row}.max`}
                    value={draft.max}
                    inputMode="decimal"
                    onChange={(event) => update(row, { max: event.target.value })}
                    data-testid="parameter-max"
                  />
                </label>
                <label className="check">
                  <input
                    type="checkbox"
                    name={`param.${row}.log`}
                    checked={draft.logScale}
                    onChange={(event) => update(row, { logScale: event.target.checked })}
                  />
                  log scale
                </label>
                <label className="check">
                  <input
                    type="checkbox"
                    name={`param.${row}.integer`}
                    checked={draft.integer}
                    onChange={(event) => update(row, { integer: event.target.checked })}
                  />
                  integers
                </label>
              </>
            )}
            {rows.length > 1 && (
              <button
                type="button"
                className="button-secondary"
                onClick={() => setRows(rows.filter((_, i) => i !== row))}
                aria-label={`Remove parameter ${row + 1}`}
              >
                Remove
              </button>
            )}
            {errorsAt(`row.${row}`)}
          </div>
        ))}
        <div className="action-row">
          <button
            type="button"
            className="button-secondary"
            onClick={() => setRows([...rows, blankParameter()])}
            data-testid="add-parameter"
          >
            Add a parameter
          </button>
        </div>
        {errorsAt('parameters')}
      </fieldset>
      <fieldset>
        <legend>Sweep</legend>
        {strategy === 'RANDOM' && (
          <>
            <label className="queue-field">
              <span className="field-name">samples</span>
              <input
                name="samples"
                value={samples}
                inputMode="numeric"
                onChange={(event) => setSamples(event.target.value)}
                placeholder="how many random points"
                data-testid="sweep-samples"
              />
              {errorsAt('samples')}
            </label>
            <label className="queue-field">
              <span className="field-name">seed</span>
              <input
                name="seed"
                value={seed}
                inputMode="numeric"
                onChange={(event) => setSeed(event.target.value)}
                placeholder="1; the same seed draws the same points"
              />
              {errorsAt('seed')}
            </label>
          </>
        )}
        <label className="queue-field">
          <span className="field-name">maxRuns</span>
          <input
            name="maxRuns"
            value={maxRuns}
            inputMode="numeric"
            onChange={(event) => setMaxRuns(event.target.value)}
            placeholder={`${DEFAULT_MAX_RUNS}; the cap, at most ${SWEEP_RUN_LIMIT}`}
            data-testid="sweep-max-runs"
          />
          {errorsAt('maxRuns')}
        </label>
        <p
          className="sweep-count"
          aria-live="polite"
          data-testid="sweep-count"
          data-runs={plan.runs ?? ''}
          data-over-cap={overCap}
        >
          {plan.runs === null
            ? `Runs: give ${strategy === 'GRID' ? 'values for every parameter' : 'samples'} to count them${capValid ? ` (cap ${plan.maxRuns})` : ''}`
            : `${plan.runs} ${plan.runs === 1 ? 'run' : 'runs'}${capValid ? ` of at most ${plan.maxRuns}` : ''}`}
        </p>
      </fieldset>
      <RunFields legend="Runs" defaultName={`${kind} sweep`} errorAt={errorsAt} />
      {formErrors.map((message) => (
        <p key={message} className="form-error" role="alert" data-testid="queue-error">
          {message}
        </p>
      ))}
      <button type="submit" disabled={queueing || overCap} data-testid="queue-sweep">
        {queueing
          ? 'Queueing…'
          : plan.runs === null
            ? 'Queue the sweep'
            : `Queue ${plan.runs} ${plan.runs === 1 ? 'run' : 'runs'}`}
      </button>
    </form>
  );
}
