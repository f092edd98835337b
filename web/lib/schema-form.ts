/** The part of JSON Schema that zod's toJSONSchema emits for job configs and a form reads. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
}

export type FieldKind = 'integer' | 'number' | 'string' | 'boolean' | 'enum' | 'json';

/** One input of a job's form: a leaf of its config schema, named by its dotted path. */
export interface FormField {
  path: string;
  kind: FieldKind;
  required: boolean;
  defaultValue: unknown;
  description: string | null;
  options: string[];
  minimum: number | null;
  maximum: number | null;
}

/** Bounds wider than this are zod's "any safe integer": not worth showing. */
const MEANINGFUL_BOUND = 2 ** 40;

function kindOf(schema: JsonSchema): FieldKind {
  if (schema.enum !== undefined) return 'enum';
  if (schema.const !== undefined) return 'enum';
  switch (schema.type) {
    case 'integer':
    case 'number':
    case 'string':
    case 'boolean':
      return schema.type;
    default:
      return 'json';
  }
}

function bound(value: number | undefined): number | null {
  return value === undefined || Math.abs(value) >= MEANINGFUL_BOUND ? null : value;
}

/**
 * The config schema's leaves as form fields, nested objects flattened to dotted paths; what a
 * form cannot show as one input (arrays, unions, nullables) becomes a JSON field.
 */
export function formFields(schema: JsonSchema, prefix = '', parentRequired = true): FormField[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, child]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const required =
      parentRequired && (schema.required ?? []).includes(key) && child.default === undefined;
    if (child.type === 'object' && child.properties !== undefined) {
      return formFields(child, path, required);
    }
    const kind = kindOf(child);
    return [
      {
        path,
        kind,
        required,
        defaultValue: child.default,
        description: child.description ?? null,
        options:
          kind === 'enum' ? (child.enum ?? [child.const]).map((option) => String(option)) : [],
        minimum: bound(child.minimum),
        maximum: bound(child.maximum),
      },
    ];
  });
}

/** A field's value as typed, read as its kind says; undefined for an empty input (the default). */
export function readFieldValue(field: FormField, raw: string): unknown {
  const text = raw.trim();
  if (text === '') return undefined;
  switch (field.kind) {
    case 'integer':
    case 'number': {
      const value = Number(text);
      if (!Number.isFinite(value)) throw new FieldError(field.path, `"${text}" is not a number`);
      return value;
    }
    case 'boolean':
      return text === 'true';
    case 'json':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new FieldError(field.path, `"${text}" is not valid JSON`);
      }
    default:
      return text;
  }
}

/** A form value the dashboard could not read, naming the field it belongs to. */
export class FieldError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** Sets `value` at a dotted path of `target`, creating the objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}
