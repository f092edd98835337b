import type { Db } from '../db/client.ts';
import { verifyApiKey } from './api-keys.ts';
import type { Role } from './roles.ts';

export type AuthMode = 'on' | 'off';

/** Who is calling: a role from their API key, or the anonymous caller of a lab with auth off. */
export type Viewer =
  | { kind: 'key'; keyId: string; role: Role }
  | { kind: 'local'; role: Role }
  | { kind: 'anonymous' }
  | { kind: 'invalid-key' };

/** Reads the `Authorization: Bearer <key>` header. With auth off, everyone is a local admin. */
export async function identifyViewer(
  db: Db,
  mode: AuthMode,
  authorization: string | undefined,
): Promise<Viewer> {
  if (mode === 'off') return { kind: 'local', role: 'ADMIN' };
  const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) return { kind: 'anonymous' };
  const key = await verifyApiKey(db, token);
  return key ? { kind: 'key', ...key } : { kind: 'invalid-key' };
}
