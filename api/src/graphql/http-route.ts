import type { Express, Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import type { Role } from '../auth/roles.ts';
import { identifyViewer, type AuthMode } from '../auth/viewer.ts';
import type { Db } from '../db/client.ts';
import type { PathRoots } from '../files/path-roots.ts';
import { assertViewerAllowed } from './auth-checker.ts';
import { ErrorCode } from './errors.ts';

/** What a plain HTTP route (not GraphQL) is served with. */
export interface HttpRouteContext {
  db: Db;
  /** The folders the API may read files from. */
  paths: PathRoots;
}

/**
 * A GET route beside GraphQL (exports, downloads): the same keys and roles, the origin policy
 * (registered before it) and errors in GraphQL's JSON shape with the HTTP status of their code.
 */
export interface HttpRoute {
  /** Express paths it answers, e.g. `/artifacts/:artifactId`. */
  paths: readonly string[];
  /** The least role a key needs to call it when auth is on. */
  needs: Role;
  /** Answers an allowed caller; throws the API's GraphQLErrors to refuse. */
  handle(context: HttpRouteContext, req: Request, res: Response): Promise<void>;
}

const HTTP_STATUS: Partial<Record<string, number>> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.UNAVAILABLE]: 503,
};

/** Answers one of the API's GraphQLErrors with its code's status; false for anything else. */
function answerRefusal(res: Response, error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return false;
  const status = HTTP_STATUS[String(error.extensions.code)];
  if (status === undefined) return false;
  res.status(status).json({ errors: [{ message: error.message, extensions: error.extensions }] });
  return true;
}

/** Registers `route` on `app`: the caller's key is checked before the route sees the request. */
export function registerHttpRoute(
  app: Express,
  context: HttpRouteContext,
  auth: AuthMode,
  route: HttpRoute,
): void {
  app.get([...route.paths], (req, res, next) => {
    const serve = async () => {
      const viewer = await identifyViewer(context.db, auth, req.headers.authorization);
      assertViewerAllowed(viewer, route.needs);
      await route.handle(context, req, res);
    };
    serve().catch((error: unknown) => {
      // Once the body is flowing the status is sent: cut the response so the client sees it fail.
      if (res.headersSent) res.destroy(error instanceof Error ? error : undefined);
      else if (!answerRefusal(res, error)) next(error);
    });
  });
}

/** Writes a chunk, waiting out backpressure; false once the client has gone. */
export function writeChunk(res: Response, chunk: string | Uint8Array): Promise<boolean> {
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
