import type { Request, Response } from 'express';
import type { Db } from '../../db/client.ts';
import { writeChunk, type HttpRoute } from '../http-route.ts';
import { parseExportParams } from './export-params.ts';
import { csvFormat, jsonFormat, type ExportFormat } from './export-format.ts';
import { exportConfigKeys, exportRunPages, exportStartTime } from './run-rows.ts';

/** Reads the query string and what the format needs before any row. */
async function prepareExport(db: Db, req: Request) {
  const params = parseExportParams(req.query);
  const asOf = await exportStartTime(db);
  const format: ExportFormat = req.path.endsWith('.csv')
    ? csvFormat(await exportConfigKeys(db, params, asOf), params.metrics)
    : jsonFormat(params.metrics);
  return { params, asOf, format };
}

async function exportRuns(db: Db, req: Request, res: Response): Promise<void> {
  const { params, asOf, format } = await prepareExport(db, req);
  res.status(200);
  res.setHeader('content-type', format.contentType);
  res.setHeader('content-disposition', `attachment; filename="runs.${format.extension}"`);
  if (!(await writeChunk(res, format.begin()))) return;
  let first = true;
  for await (const rows of exportRunPages(db, params, asOf)) {
    if (!(await writeChunk(res, format.rows(rows, first)))) return;
    first = false;
  }
  res.end(format.end());
}

/**
 * GET /export/runs.csv and /export/runs.json: runs filtered by `status`, `kind` and `tags`
 * (comma-separated), newest first, at most `limit`, with `metrics`' latest values; streamed from
 * Postgres in keyset pages. With auth on, needs a VIEWER key, as GraphQL does.
 */
export const runsExportRoute: HttpRoute = {
  paths: ['/export/runs.csv', '/export/runs.json'],
  needs: 'VIEWER',
  handle: ({ db }, req, res) => exportRuns(db, req, res),
};
