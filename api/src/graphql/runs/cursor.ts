import { badUserInput } from '../errors.ts';

/** A keyset position in the runs list: newest first, ties broken by id. */
export interface RunCursor {
  queuedAt: Date;
  id: string;
}

export function encodeRunCursor(cursor: RunCursor): string {
  return Buffer.from(JSON.stringify([cursor.queuedAt.toISOString(), cursor.id])).toString(
    'base64url',
  );
}

export function decodeRunCursor(encoded: string, field: string): RunCursor {
  try {
    const [queuedAt, id] = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as [
      unknown,
      unknown,
    ];
    const date = new Date(String(queuedAt));
    if (typeof id === 'string' && !Number.isNaN(date.getTime())) return { queuedAt: date, id };
  } catch {
    // fall through to the error below
  }
  throw badUserInput(field, 'is not a cursor this API returned; pass an endCursor from pageInfo');
}
