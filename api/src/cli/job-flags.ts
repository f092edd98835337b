import { Option, type Command } from 'commander';
import type { z } from 'zod';
import { flagIssue, flagOf } from '@factorlab/gpu/jobs/config-flags';
import { fail } from './fail.ts';

type Field = z.ZodType & { description?: string };

/** The field under optional and default wrappers, and its default if it has one. */
function unwrap(field: z.ZodType): { inner: z.ZodType; defaultValue?: unknown } {
  let inner = field;
  let defaultValue: unknown;
  for (;;) {
    const def = inner.def as { type: string; innerType?: z.ZodType; defaultValue?: unknown };
    if (def.type === 'default') defaultValue = def.defaultValue;
    else if (def.type !== 'optional') return { inner, defaultValue };
    inner = def.innerType!;
  }
}

/**
 * One option per field of a job's config `schema` (an object schema), named after the field
 * (flagOf), its help the field's description (and choices), its default the schema's. Values stay
 * raw (numbers are converted, nothing else checked): `configFromFlags` validates them.
 */
export function addConfigFlags(
  command: Command,
  schema: z.ZodObject,
  { except = [] }: { except?: readonly string[] } = {},
): Command {
  for (const [key, field] of Object.entries(schema.shape as Record<string, Field>)) {
    if (except.includes(key)) continue;
    const { inner, defaultValue } = unwrap(field);
    const type = inner.def.type;
    // Choices are listed, not enforced here: the schema's message names the flag like any other.
    const choices =
      type === 'enum'
        ? ` (${Object.values((inner.def as unknown as { entries: object }).entries).join(', ')})`
        : '';
    const help = `${field.description ?? key}${choices}`;
    const option =
      type === 'boolean'
        ? new Option(flagOf(key), help)
        : new Option(`${flagOf(key)} <${type === 'number' ? 'n' : 'value'}>`, help);
    if (type === 'number') option.argParser(Number);
    if (defaultValue !== undefined) option.default(defaultValue);
    command.addOption(option);
  }
  return command;
}

/** The job config the flags give, checked by `schema`; a bad value ends the command naming its flag. */
export function configFromFlags<Schema extends z.ZodObject>(
  schema: Schema,
  flags: object,
): z.output<Schema> {
  const values = flags as Record<string, unknown>;
  const given = Object.fromEntries(
    Object.keys(schema.shape).flatMap((key) =>
      values[key] === undefined ? [] : [[key, values[key]]],
    ),
  );
  const parsed = schema.safeParse(given);
  if (parsed.success) return parsed.data;
  fail(flagIssue(parsed.error));
}
