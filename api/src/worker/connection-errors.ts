/** Socket errors of a database connection that dropped or could not be made. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN']);
/** PostgreSQL's connection exceptions (08xxx) and operator interventions (57P01-57P03). */
const SQLSTATE = /^(08\d{3}|57P0[123])$/;
/** Prisma's "cannot reach", "timed out" and "server closed the connection". */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1017']);
/** What pg and Prisma's driver adapter say when the server goes away mid-session. */
const MESSAGES =
  /Connection terminated|terminating connection|the database system is (starting up|shutting down|in recovery mode)|Can't reach database server|server closed the connection|Client has encountered a connection error|Connection is closed/i;

/**
 * Whether `error` (or an error it wraps) says the database connection was lost or refused, as
 * when the server restarts: worth retrying once it is back, unlike a query the server rejected.
 */
export function isConnectionError(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; depth++) {
    if (typeof cause !== 'object') return false;
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (
      typeof code === 'string' &&
      (NETWORK_CODES.has(code) || SQLSTATE.test(code) || PRISMA_CODES.has(code))
    )
      return true;
    if (typeof message === 'string' && MESSAGES.test(message)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
