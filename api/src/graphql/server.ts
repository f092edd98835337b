import http, { type ServerResponse } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { WebSocketServer } from 'ws';
import { OriginPolicy } from '../auth/origin-policy.ts';
import { identifyViewer, type AuthMode } from '../auth/viewer.ts';
import { readConfig } from '../config.ts';
import type { Db } from '../db/client.ts';
import { labPathRoots, type PathRoots } from '../files/path-roots.ts';
import { ChangeFeed } from '../events/change-feed.ts';
import { createContext, type ApiContext } from './context.ts';
import { formatError } from './format-error.ts';
import { answerRequestErrors, refuseForeignOrigins } from './http-guards.ts';
import { registerHttpRoute } from './http-route.ts';
import { HTTP_ROUTES } from './http-routes.ts';
import { ExpensiveQueryGate } from './expensive-query-gate.ts';
import { MAX_REQUEST_BYTES, requestLimitsPlugin } from './limits.ts';
import { leaderboardResponseCachePlugin } from './leaderboard/leaderboard-response-cache.ts';
import { getSchema } from './schema.ts';
import { serveGraphQLOverWebSocket } from './websocket.ts';

export interface ApiServer {
  url: string;
  stop(): Promise<void>;
}

export interface ApiServerOptions {
  host: string;
  port: number;
  auth: AuthMode;
  /** For the LISTEN connection that feeds subscriptions. */
  databaseUrl: string;
  /** Web page origins, besides the API's own, that may call it from a browser (HTTP and WebSocket). */
  allowedOrigins?: readonly string[];
  /**
   * Where models and datasets may be registered from, and artifacts downloaded from; by default
   * the lab's own folders.
   */
  paths?: PathRoots;
  /** The turns of expensive requests, shared by HTTP and WebSocket; a fresh one by default. */
  gate?: ExpensiveQueryGate;
}

/**
 * Serves GraphQL at /graphql: queries and mutations over HTTP, subscriptions over graphql-ws on
 * the same path; run exports at /export/runs.csv and .json; artifact downloads at
 * /artifacts/:artifactId (HTTP_ROUTES); and a health check at /healthz.
 * Runs until stopped.
 */
export async function startApiServer(db: Db, options: ApiServerOptions): Promise<ApiServer> {
  const app = express();
  const httpServer = http.createServer(app);
  const schema = await getSchema();
  const changes = new ChangeFeed(options.databaseUrl);
  await changes.start();

  const origins = new OriginPolicy(options.allowedOrigins);
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: MAX_REQUEST_BYTES,
    verifyClient: ({ req }, accept) => {
      const refusal = origins.refusal(req);
      if (refusal) accept(false, 403, refusal);
      else accept(true);
    },
  });
  const paths = options.paths ?? labPathRoots(readConfig());
  const gate = options.gate ?? new ExpensiveQueryGate();
  const wsCleanup = serveGraphQLOverWebSocket(
    wsServer,
    schema,
    async (authorization, signal) =>
      createContext(db, changes, await identifyViewer(db, options.auth, authorization), {
        paths,
        reidentify: () => identifyViewer(db, options.auth, authorization),
        signal,
      }),
    gate,
  );

  const apollo = new ApolloServer<ApiContext>({
    schema,
    formatError,
    // Stack traces stay in the server's log (see formatError), whatever NODE_ENV says; the
    // dashboard reads the leaderboard's columns by introspection, and GET /graphql in a browser
    // opens Apollo Sandbox, with NODE_ENV=production too (`lab api` sets it).
    includeStacktraceInErrorResponses: false,
    introspection: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageLocalDefault(),
      // No cache hints are used; its per-field hook cost 12-15% of a leaderboard request's CPU.
      ApolloServerPluginCacheControlDisabled(),
      requestLimitsPlugin(schema, gate),
      leaderboardResponseCachePlugin(schema),
      {
        serverWillStart: () =>
          Promise.resolve({
            drainServer: async () => {
              gate.close();
              await wsCleanup.dispose();
              await changes.stop();
            },
          }),
      },
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(refuseForeignOrigins(origins));
  for (const route of HTTP_ROUTES) registerHttpRoute(app, { db, paths }, options.auth, route);
  app.use(
    '/graphql',
    (_req, res, next) => {
      res.setHeader('cache-control', 'no-store'); // what the cache control plugin answered
      next();
    },
    express.json({ limit: MAX_REQUEST_BYTES }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) =>
        createContext(
          db,
          changes,
          await identifyViewer(db, options.auth, req.headers.authorization),
          { paths, signal: clientGone(res) },
        ),
    }),
  );

  app.use(answerRequestErrors);

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `port ${options.port} is in use, so the API cannot start: stop what uses it or ` +
                `set FACTORLAB_API_PORT to a free port`,
            )
          : error,
      ),
    );
    httpServer.listen(options.port, options.host, resolve);
  });
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}`,
    stop: () => apollo.stop(),
  };
}

/** Aborts when the connection closes before the response is sent: its client has gone. */
function clientGone(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
