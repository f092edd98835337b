/**
 * Keys that reach an object's prototype when assigned or followed: never accepted in input, so no
 * input can change `Object.prototype` or an object's prototype.
 */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

export function isPrototypeKey(key: string): boolean {
  return PROTOTYPE_KEYS.has(key);
}

/**
 * A JSON object (not an array, not null, not a class instance, not a prototype): what configs and
 * config patches must be.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (value === Object.prototype) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype;
}
