import type { ApiKeyRole } from '../db/generated/enums.ts';

export type Role = ApiKeyRole;

const RANK: Record<Role, number> = { VIEWER: 0, EDITOR: 1, ADMIN: 2 };

export const ROLES = Object.keys(RANK) as Role[];

/** Roles are ordered: an editor may do what a viewer may, an admin what an editor may. */
export function roleAllows(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}

export function parseRole(value: string): Role | null {
  const upper = value.toUpperCase();
  return (ROLES as string[]).includes(upper) ? (upper as Role) : null;
}
