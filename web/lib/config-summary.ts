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

/** `size=256 repeats=3 …`: the first few config entries, for a table cell. */
export function summarizeConfig(config: unknown, maxEntries = 4): string {
  const entries = flattenConfig(config);
  const shown = entries
    .slice(0, maxEntries)
    .map(([key, value]) => `${key}=${formatJsonValue(value)}`);
  return entries.length > maxEntries ? `${shown.join(' ')} …` : shown.join(' ');
}
