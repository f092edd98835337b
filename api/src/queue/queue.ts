import { Logger, runMigrations } from 'graphile-worker';

/** The graphile-worker task that executes one run; its payload is `{ runId }`. */
export const EXECUTE_RUN_TASK = 'execute-run';

export interface ExecuteRunPayload {
  runId: string;
}

export function isExecuteRunPayload(payload: unknown): payload is ExecuteRunPayload {
  return (
    typeof payload === 'object' &&
    payload !== null &&
    typeof (payload as { runId?: unknown }).runId === 'string'
  );
}

/** Installs or upgrades graphile-worker's tables (schema `graphile_worker`). Idempotent. */
export async function installQueueSchema(databaseUrl: string): Promise<void> {
  await runMigrations({ connectionString: databaseUrl, logger: quietLogger });
}

/** graphile-worker logs every job at info level; the lab reports runs itself. */
export const quietLogger = new Logger((scope) => (level, message) => {
  if (level === 'error' || level === 'warning') {
    const where = scope.label ? ` (${scope.label})` : '';
    process.stderr.write(`[queue${where}] ${level}: ${message}\n`);
  }
});
