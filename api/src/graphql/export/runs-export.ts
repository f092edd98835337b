import type { Express, Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import { identifyViewer, type AuthMode } from '../../auth/viewer.ts';
import type { Db } from '../../db/client.ts';
import { assertViewerAllowed } from '../auth-checker.ts';
import { ErrorCode } from '../errors.ts';
import { parseExportParams } from './export-params.ts';
import { csvFormat, jsonFormat, type ExportFormat } from './export-format.ts';
import { exportConfigKeys, exportRunPages, exportStartTime } from './run-rows.ts';

const HTTP_STATUS: Partial<Record<string, number>> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
};

/** Writes a chunk, waiting out backpressure; false once the client has gone. */
function write(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = () => {
      res.off('drain', settle);
      res.off('close', settle);
      resolve(!res.destroyed);
    };
    res.on('drain', settle);
    res.on('close', settle);
  });
}

/** Checks the caller and the query string, and reads what the format needs before any row. */
async function prepareExport(db: Db, auth: AuthMode, req: Request) {
  assertViewerAllowed(await identifyViewer(db, auth, req.headers.authorization), 'VIEWER');
  const params = parseExportParams(req.query);
  const asOf = await exportStartTime(db);
  const format: ExportFormat = req.path.endsWith('.csv')
    ? csvFormat(await exportConfigKeys(db, params, asOf), params.metrics)
    : jsonFormat(params.metrics);
  return { params, asOf, format };
}

async function exportRuns(db: Db, auth: AuthMode, req: Request, res: Response): Promise<void> {
  let prepared: Awaited<ReturnType<typeof prepareExport>>;
  try {
    prepared = await prepareExport(db, auth, req);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    const status = HTTP_STATUS[String(error.extensions.code)];
    if (status === undefined) throw error;
    res.status(status).json({ errors: [{ message: error.message, extensions: error.extensions }] });
    return;
  }
  const { params, asOf, format } = prepared;
  res.status(200);
  res.setHeader('content-type', format.contentType);
  res.setHeader('content-disposition', `attachment; filename="runs.${format.extension}"`);
  if (!(await write(res, format.begin()))) return;
  let first = true;
  for await (const rows of exportRunPages(db, params, asOf)) {
    if (!(await write(res, format.rows(rows, first)))) return;
    first = false;
  }
  res.end(format.end());
}

/**
 * GET /export/runs.csv and /export/runs.json: runs filtered by `status`, `kind` and `tags`
 * (comma-separated), newest first, at most `limit`, with `metrics`' latest values; streamed from
 * Postgres in keyset pages. With auth on, needs a VIEWER key, as GraphQL does.
 */
export function registerRunsExport(app: Express, db: Db, auth: AuthMode): void {
  app.get(['/export/runs.csv', '/export/runs.json'], (req, res, next) => {
    exportRuns(db, auth, req, res).catch((error: unknown) => {
      // Once rows are flowing the status is sent: cut the response so the client sees it fail.
      if (res.headersSent) res.destroy(error instanceof Error ? error : undefined);
      else next(error);
    });
  });
}
