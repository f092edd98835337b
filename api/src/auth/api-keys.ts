import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/client.ts';
import type { Role } from './roles.ts';

/** Keys look like `flk_<prefix>_<secret>`; only the prefix and a SHA-256 of the secret are kept. */
const KEY_PATTERN = /^flk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** `lastUsedAt` is refreshed at most this often, so reads do not each cost a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface CreatedApiKey {
  id: string;
  /** The whole key: shown once at creation, never stored. */
  token: string;
  prefix: string;
  role: Role;
}

export async function createApiKey(
  db: Db,
  options: { name: string; role: Role },
): Promise<CreatedApiKey> {
  const prefix = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  const key = await db.apiKey.create({
    data: { name: options.name, prefix, secretHash: hashSecret(secret), role: options.role },
  });
  return { id: key.id, token: `flk_${prefix}_${secret}`, prefix, role: key.role };
}

export interface AuthenticatedKey {
  keyId: string;
  role: Role;
}

/** The key's role, or null when the token is malformed, unknown, revoked or wrong. */
export async function verifyApiKey(db: Db, token: string): Promise<AuthenticatedKey | null> {
  const match = KEY_PATTERN.exec(token);
  if (!match) return null;
  const [, prefix, secret] = match as unknown as [string, string, string];
  const key = await db.apiKey.findUnique({ where: { prefix } });
  if (!key || key.revokedAt) return null;
  const expected = Buffer.from(key.secretHash, 'hex');
  const actual = Buffer.from(hashSecret(secret), 'hex');
  if (!timingSafeEqual(expected, actual)) return null;
  const staleBefore = Date.now() - LAST_USED_RESOLUTION_MS;
  if (!key.lastUsedAt || key.lastUsedAt.getTime() < staleBefore) {
    await db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date() } });
  }
  return { keyId: key.id, role: key.role };
}

export async function revokeApiKey(db: Db, prefix: string): Promise<boolean> {
  const revoked = await db.apiKey.updateMany({
    where: { prefix, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return revoked.count > 0;
}
