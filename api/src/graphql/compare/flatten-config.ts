/**
 * A config as dotted paths to leaf values: nested objects are walked, anything else (arrays,
 * scalars, empty objects) is a leaf. `{ optim: { lr: 1 } }` gives `optim.lr -> 1`.
 */
export function flattenConfig(config: unknown, prefix = ''): Map<string, unknown> {
  const flat = new Map<string, unknown>();
  const isObject = config !== null && typeof config === 'object' && !Array.isArray(config);
  const entries = isObject ? Object.entries(config as Record<string, unknown>) : [];
  if (entries.length === 0) {
    if (prefix) flat.set(prefix, config);
    return flat;
  }
  for (const [key, value] of entries) {
    for (const [path, leaf] of flattenConfig(value, prefix ? `${prefix}.${key}` : key)) {
      flat.set(path, leaf);
    }
  }
  return flat;
}
