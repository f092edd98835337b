const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids of runs and experiments are UUIDs; anything else cannot name one. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
