import { ARTIFACT_ROUTES } from './artifacts/artifact-download.ts';
import { runsExportRoute } from './export/runs-export.ts';
import type { HttpRoute } from './http-route.ts';

/**
 * The API's routes besides /graphql and /healthz, each with the role it needs; the server
 * registers exactly these, and the access tests check each against every kind of caller.
 */
export const HTTP_ROUTES: readonly HttpRoute[] = [runsExportRoute, ...ARTIFACT_ROUTES];
