/** A config flattened to dotted keys (`optim.lr`) and leaf values, in the config's key order. */
export function flattenConfig(config: unknown, prefix = ''): [string, unknown][] {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    return prefix === '' ? [] : [[prefix, config]];
  }
  return Object.entries(config).flatMap(([key, value]) =>
    flattenConfig(value, prefix === '' ? key : `${prefix}.${key}`),
  );
}

/** A JSON value as a table cell shows it: strings bare, the rest as JSON. */
export function formatJsonValue(value: unknown): string {
  if (value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The dotted config keys whose values differ between `configs` (a key some lack counts as
 * differing), in the order they first appear: what tells rows of one sweep apart.
 */
export function varyingConfigKeys(configs: unknown[]): string[] {
  const flattened = configs.map((config) => new Map(flattenConfig(config)));
  const keys = [...new Set(flattened.flatMap((flat) => [...flat.keys()]))];
  return keys.filter((key) => {
    const values = flattened.map((flat) => (flat.has(key) ? JSON.stringify(flat.get(key)) : ''));
    return new Set(values).size > 1;
  });
}

/**
 * A config cell of a table: the keys that vary across the rows shown first (all of them), then as
 * many of the others as fit in `maxEntries`; `more` counts the entries left out.
 */
export function summarizeVaryingConfig(
  config: unknown,
  varying: readonly string[],
  maxEntries = 4,
): { varied: string; rest: string; more: number } {
  // Sorted by key: the API's JSON comes back in Postgres' jsonb order, not the config's own.
  const entries = flattenConfig(config).sort(([a], [b]) => a.localeCompare(b));
  const isVarying = new Set(varying);
  const format = ([key, value]: [string, unknown]) => `${key}=${formatJsonValue(value)}`;
  const varied = entries.filter(([key]) => isVarying.has(key));
  const others = entries.filter(([key]) => !isVarying.has(key));
  const room = Math.max(0, maxEntries - varied.length);
  return {
    varied: varied.map(format).join(' '),
    rest: others.slice(0, room).map(format).join(' '),
    more: Math.max(0, others.length - room),
  };
}

/** varyingConfigKeys within each job kind: configs of different kinds share few keys. */
export function varyingConfigKeysByKind(
  rows: readonly { kind: string; config: unknown }[],
): Map<string, string[]> {
  const byKind = new Map<string, unknown[]>();
  for (const row of rows) byKind.set(row.kind, [...(byKind.get(row.kind) ?? []), row.config]);
  return new Map([...byKind].map(([kind, configs]) => [kind, varyingConfigKeys(configs)]));
}
