/** The compare page's URL for these runs; it shows only the config keys that differ by default. */
export function compareHref(runIds: string[], differingOnly = true): string {
  const all = differingOnly ? '' : '&all=1';
  return `/compare?runs=${runIds.map(encodeURIComponent).join(',')}${all}`;
}
