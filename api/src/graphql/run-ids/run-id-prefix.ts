/** A short id must be long enough that a lab's runs rarely share it. */
export const MIN_PREFIX_DIGITS = 4;

export interface UuidRange {
  low: string;
  high: string;
}

const HEX = /^[0-9a-f]+$/;

function asUuid(hex32: string): string {
  return [
    hex32.slice(0, 8),
    hex32.slice(8, 12),
    hex32.slice(12, 16),
    hex32.slice(16, 20),
    hex32.slice(20),
  ].join('-');
}

/**
 * The UUIDs that start with `prefix` (hex digits, dashes where a UUID has them), as an inclusive
 * range an index can answer; a message saying what is wrong instead when it cannot begin a UUID.
 */
export function uuidPrefixRange(prefix: string): UuidRange | string {
  const range = hexPrefixRange(prefix);
  if (range === null) {
    return `"${prefix}" is not a run id or the start of one: ids are hex digits such as 1a2b3c4d`;
  }
  if (prefixDigits(prefix).length < MIN_PREFIX_DIGITS) {
    return `"${prefix}" is too short: give at least ${MIN_PREFIX_DIGITS} hex digits of the run id`;
  }
  return range;
}

function prefixDigits(prefix: string): string {
  return prefix.trim().toLowerCase().replaceAll('-', '');
}

/**
 * The UUIDs that start with `prefix`, however few digits it has (the runs filter's text matches
 * ids this way); null when it is empty or cannot begin a UUID.
 */
export function hexPrefixRange(prefix: string): UuidRange | null {
  const digits = prefixDigits(prefix);
  if (!HEX.test(digits) || digits.length > 32) return null;
  return { low: asUuid(digits.padEnd(32, '0')), high: asUuid(digits.padEnd(32, 'f')) };
}
