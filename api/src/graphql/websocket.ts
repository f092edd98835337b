import { execute, GraphQLError, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { ApiContext } from './context.ts';
import { ErrorCode } from './errors.ts';
import type { ExpensiveQueryGate } from './expensive-query-gate.ts';
import { formatError } from './format-error.ts';
import { parseFailureMessage } from './input-rules.ts';
import { checkOperation } from './limits.ts';

/**
 * GraphQL over graphql-ws on `wsServer`: every operation meets the same validation, depth, cost and
 * mutation limits as over HTTP (see limits.ts) before it runs, expensive queries and mutations
 * wait their turn at the same `gate` (leaving it when the socket closes), and errors leave
 * formatted as over HTTP. `contextFor` builds a context from the connection's `authorization` param
 * and a signal that aborts when the socket closes.
 */
export function serveGraphQLOverWebSocket(
  wsServer: WebSocketServer,
  schema: GraphQLSchema,
  contextFor: (authorization: string | undefined, signal: AbortSignal) => Promise<ApiContext>,
  gate: ExpensiveQueryGate,
): Disposable {
  /** Each validated operation's price, for the gate when it executes. */
  const costs = new WeakMap<DocumentNode, number>();
  const closedSignals = new WeakMap<WebSocket, AbortSignal>();
  /** One signal per socket, however many operations it carries. */
  const closedSignal = (socket: WebSocket) => {
    let signal = closedSignals.get(socket);
    if (!signal) {
      const controller = new AbortController();
      socket.once('close', () => controller.abort());
      closedSignals.set(socket, (signal = controller.signal));
    }
    return signal;
  };
  const format = (errors: readonly GraphQLError[]) =>
    errors.map((error) => formatError(error.toJSON(), error));
  return useServer(
    {
      schema,
      context: ({ connectionParams, extra }) => {
        const authorization = connectionParams?.authorization;
        return contextFor(
          typeof authorization === 'string' ? authorization : undefined,
          closedSignal(extra.socket),
        );
      },
      onSubscribe: (_ctx, _id, payload) => {
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          const message = parseFailureMessage(error);
          if (message === null) throw error;
          return [new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } })];
        }
        const { errors, cost } = checkOperation(schema, document, {
          variables: payload.variables,
          operationName: payload.operationName,
          includeSpecifiedRules: true,
        });
        if (errors.length > 0) return errors;
        if (cost !== undefined) costs.set(document, cost);
        return {
          schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName,
        };
      },
      execute: async (args) => {
        const { signal } = args.contextValue as ApiContext;
        let release: () => void;
        try {
          release = await gate.admit(costs.get(args.document), signal);
        } catch (error) {
          // Refused its turn (socket closed, API stopping): an answer, not a failure of the server.
          if (error instanceof GraphQLError) return { errors: [error] };
          throw error;
        }
        try {
          return await execute(args);
        } finally {
          release();
        }
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: format(result.errors) } : result,
      onError: (_ctx, _id, _payload, errors) => format(errors),
    },
    wsServer,
  );
}
