import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { identifyViewer, type AuthMode } from '../auth/viewer.ts';
import type { Db } from '../db/client.ts';
import { createContext, type ApiContext } from './context.ts';
import { formatError } from './format-error.ts';
import { depthLimitRule, queryCostPlugin } from './limits.ts';
import { getSchema } from './schema.ts';

export interface ApiServer {
  url: string;
  stop(): Promise<void>;
}

/** Serves GraphQL at /graphql (and a health check at /healthz) until stopped. */
export async function startApiServer(
  db: Db,
  options: { host: string; port: number; auth: AuthMode },
): Promise<ApiServer> {
  const app = express();
  const httpServer = http.createServer(app);
  const schema = await getSchema();
  const apollo = new ApolloServer<ApiContext>({
    schema,
    formatError,
    validationRules: [depthLimitRule],
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), queryCostPlugin(schema)],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) =>
        createContext(db, await identifyViewer(db, options.auth, req.headers.authorization)),
    }),
  );

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
