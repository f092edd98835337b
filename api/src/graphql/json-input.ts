import { isPrototypeKey } from './json.ts';

/** How deeply JSON input (a config, a patch, a variable) may nest; real configs nest 2 or 3. */
export const MAX_JSON_DEPTH = 32;

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored as text (PostgreSQL refuses NUL; lone surrogates are not UTF-8). */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000); remove it';
  if (LONE_SURROGATE.test(text)) {
    return 'contains a lone UTF-16 surrogate (invalid Unicode); send well-formed UTF-8 text';
  }
  return null;
}

function describePath(path: readonly (string | number)[]): string {
  return path.length === 0 ? 'the value' : path.join('.');
}

/**
 * Why a JSON input value is refused, naming where in it, or null when it is fine: nested deeper
 * than MAX_JSON_DEPTH, a key that reaches a prototype, or text PostgreSQL cannot store. Walks
 * without recursion, so no input can exhaust the stack.
 */
export function jsonInputProblem(value: unknown): string | null {
  const pending: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value: node, path } = next;
    if (typeof node === 'string') {
      const problem = textProblem(node);
      if (problem) return `${describePath(path)} ${problem}`;
    } else if (typeof node === 'number' && !Number.isFinite(node)) {
      return `${describePath(path)} is ${node}, which JSON cannot hold; give a finite number`;
    } else if (typeof node === 'object' && node !== null) {
      if (path.length >= MAX_JSON_DEPTH) {
        return `${describePath(path)} nests deeper than ${MAX_JSON_DEPTH} levels; flatten it`;
      }
      if (Array.isArray(node)) {
        node.forEach((item, index) => pending.push({ value: item, path: [...path, index] }));
        continue;
      }
      for (const [key, item] of Object.entries(node)) {
        if (isPrototypeKey(key)) {
          return `key "${key}" at ${describePath(path)} is not allowed: it names an object prototype`;
        }
        const problem = textProblem(key);
        if (problem) return `a key at ${describePath(path)} ${problem}`;
        pending.push({ value: item, path: [...path, key] });
      }
    }
  }
  return null;
}
