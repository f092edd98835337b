import { badUserInput } from './errors.ts';
import { isUuid } from './ids.ts';

/** A keyset position in a sorted list: the sort value of the last row seen, and its id. */
export interface Cursor {
  value: string | number | null;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.value, cursor.id])).toString('base64url');
}

export function decodeCursor(encoded: string, field: string): Cursor {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 2) {
      const [value, id] = decoded as [unknown, unknown];
      const valueOk = value === null || typeof value === 'number' || typeof value === 'string';
      if (valueOk && typeof id === 'string' && isUuid(id)) return { value, id };
    }
  } catch {
    // fall through to the error below
  }
  throw badUserInput(field, 'is not a cursor this API returned; pass an endCursor from pageInfo');
}
