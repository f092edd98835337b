import type { z } from 'zod';
import { badUserInput } from '../errors.ts';
import { isPlainObject, isPrototypeKey } from '../json.ts';

/** What a zod schema's `def` tells about its shape; read structurally, so any zod 4 copy works. */
interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  valueType?: z.ZodType;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { def: SchemaDef }).def;
}

/** The schema under optional, nullable, default, readonly, catch and pipe wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let def = defOf(current); ; def = defOf(current)) {
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else return current;
  }
}

/**
 * Why `segments` names no field of the config `schema` accepts, or null when it does. Each segment
 * must be a field of the object schema reached so far (or a key of a record); none may reach a
 * prototype.
 */
export function configPathProblem(schema: z.ZodType, segments: readonly string[]): string | null {
  let node = unwrap(schema);
  for (const [index, segment] of segments.entries()) {
    const here = segments.slice(0, index + 1).join('.');
    if (segment === '') return 'is not a dotted path: a segment is empty';
    if (isPrototypeKey(segment)) {
      return `"${segment}" is not a config field (it would reach a prototype)`;
    }
    const def = defOf(node);
    if (def.type === 'object' && def.shape) {
      if (!Object.hasOwn(def.shape, segment)) {
        const fields = Object.keys(def.shape).join(', ');
        return `the config has no field "${here}"; fields there: ${fields}`;
      }
      node = unwrap(def.shape[segment]!);
    } else if (def.type === 'record' && def.valueType) {
      node = unwrap(def.valueType);
    } else {
      const parent = segments.slice(0, index).join('.');
      return `"${parent}" holds a ${def.type}, not an object with field "${segment}"`;
    }
  }
  return null;
}

/** Throws BAD_USER_INPUT on `field` unless the dotted `path` names a field of the config schema. */
export function checkConfigPath(schema: z.ZodType, path: string, field: string): void {
  const problem = configPathProblem(schema, path.split('.'));
  if (problem) throw badUserInput(field, problem);
}

/** Every leaf path of a config patch: objects are followed key by key, anything else is a leaf. */
export function patchPaths(patch: Record<string, unknown>): string[][] {
  const paths: string[][] = [];
  const pending: { value: Record<string, unknown>; prefix: string[] }[] = [
    { value: patch, prefix: [] },
  ];
  for (let next = pending.pop(); next; next = pending.pop()) {
    for (const [key, value] of Object.entries(next.value)) {
      const path = [...next.prefix, key];
      if (isPlainObject(value) && Object.keys(value).length > 0 && !isPrototypeKey(key)) {
        pending.push({ value, prefix: path });
      } else {
        paths.push(path);
      }
    }
  }
  return paths;
}
