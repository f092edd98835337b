'use client';

import { useActionState, type ReactNode } from 'react';
import { queueAction, type QueueState } from '../queue/actions.ts';
import type { FormField } from '../../lib/schema-form.ts';

const IDLE: QueueState = { error: null, field: null };

function placeholderOf(field: FormField): string {
  if (field.defaultValue !== undefined) return `default ${JSON.stringify(field.defaultValue)}`;
  return field.required ? 'required' : 'optional';
}

export function rangeOf(field: FormField): string | null {
  if (field.minimum === null && field.maximum === null) return null;
  if (field.maximum === null) return `at least ${field.minimum}`;
  if (field.minimum === null) return `at most ${field.maximum}`;
  return `${field.minimum} to ${field.maximum}`;
}

/** One config field's input, named `config.<path>`, as its schema says (a select for choices). */
export function FieldInput({ field }: { field: FormField }) {
  const name = `config.${field.path}`;
  if (field.kind === 'enum' || field.kind === 'boolean') {
    const options = field.kind === 'boolean' ? ['true', 'false'] : field.options;
    return (
      <select name={name} defaultValue="" data-field={field.path}>
        <option value="">
          {field.defaultValue === undefined ? '—' : `default: ${String(field.defaultValue)}`}
        </option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    );
  }
  return (
    <input
      name={name}
      inputMode={field.kind === 'integer' || field.kind === 'number' ? 'decimal' : undefined}
      placeholder={placeholderOf(field)}
      required={field.required}
      data-field={field.path}
    />
  );
}

/**
 * A job's form, one input per leaf of its config schema (from the worker's own validation), the
 * API's refusal shown at the field it names.
 */
/** The name, tags and priority every queued run takes, each with its refusal below it. */
export function RunFields({
  legend,
  defaultName,
  errorAt,
}: {
  legend: string;
  defaultName: string;
  errorAt: (field: string) => ReactNode;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      <label className="queue-field">
        <span className="field-name">name</span>
        <input name="name" placeholder={`default ${defaultName}`} />
        {errorAt('name')}
      </label>
      <label className="queue-field">
        <span className="field-name">tags</span>
        <input name="tags" placeholder="comma-separated" />
        {errorAt('tags')}
      </label>
      <label className="queue-field">
        <span className="field-name">priority</span>
        <input name="priority" placeholder="0; from -100 to 100, higher runs sooner" />
        {errorAt('priority')}
      </label>
    </fieldset>
  );
}

export function QueueForm({ kind, fields }: { kind: string; fields: FormField[] }) {
  const [state, queue, queueing] = useActionState(queueAction.bind(null, kind), IDLE);
  const errorAt = (path: string) =>
    state.error !== null && state.field === path ? (
      <span className="form-error" role="alert" data-testid="field-error" data-field={path}>
        {state.error}
      </span>
    ) : null;
  const known = new Set([...fields.map((field) => field.path), 'name', 'tags', 'priority']);
  return (
    <form action={queue} className="queue-form" data-testid="queue-form" data-kind={kind}>
      <fieldset>
        <legend>Config</legend>
        {fields.map((field) => (
          <label key={field.path} className="queue-field">
            <span className="field-name">
              {field.path}
              {field.required && <span aria-hidden> *</span>}
            </span>
            <FieldInput field={field} />
            <span className="muted field-help">
              {[field.kind, rangeOf(field), field.description].filter(Boolean).join(' · ')}
            </span>
            {errorAt(field.path)}
          </label>
        ))}
      </fieldset>
      <RunFields legend="Run" defaultName={kind} errorAt={errorAt} />
      {state.error !== null && (state.field === null || !known.has(state.field)) && (
        <p className="form-error" role="alert" data-testid="queue-error">
          {state.error}
        </p>
      )}
      <button type="submit" disabled={queueing} data-testid="queue-submit">
        {queueing ? 'Queueing…' : `Queue ${kind}`}
      </button>
    </form>
  );
}
