/** A page's query string as Next.js hands it over: each name once, repeated, or absent. */
export type SearchParams = Record<string, string | string[] | undefined>;

/** The first value of a query parameter, or null when it is absent or empty. */
export function firstParam(value: string | string[] | undefined): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? null : first;
}

/**
 * A list parameter written as `a,b`, repeated (`x=a&x=b`, what a GET form sends), or both; trimmed,
 * without empty items or repeats, in first-seen order.
 */
export function listParam(value: string | string[] | undefined): string[] {
  const raw = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const items = raw.flatMap((item) => item.split(',')).map((item) => item.trim());
  return [...new Set(items.filter((item) => item !== ''))];
}
