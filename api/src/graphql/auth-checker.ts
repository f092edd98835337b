import type { AuthCheckerFn } from 'type-graphql';
import { roleAllows, type Role } from '../auth/roles.ts';
import type { Viewer } from '../auth/viewer.ts';
import type { ApiContext } from './context.ts';
import { forbidden, unauthenticated } from './errors.ts';

/**
 * Throws unless the viewer holds `required` or a higher role: UNAUTHENTICATED without a valid
 * key, FORBIDDEN with too low a role. GraphQL fields and the HTTP routes (http-route.ts) share it.
 */
export function assertViewerAllowed(viewer: Viewer, required: Role): void {
  if (viewer.kind === 'anonymous') {
    throw unauthenticated('this API needs a key: send `Authorization: Bearer <key>`');
  }
  if (viewer.kind === 'invalid-key') {
    throw unauthenticated('the API key is malformed, unknown or revoked');
  }
  if (!roleAllows(viewer.role, required)) {
    throw forbidden(`this needs the ${required} role; the key has ${viewer.role}`);
  }
}

/**
 * `@Authorized('EDITOR')` on a field: the caller's key must have that role or a higher one.
 * Throws the API's own errors so clients get UNAUTHENTICATED or FORBIDDEN, never a generic one.
 */
export const authChecker: AuthCheckerFn<ApiContext, Role> = (
  { context },
  [required = 'VIEWER'],
) => {
  assertViewerAllowed(context.viewer, required);
  return true;
};
