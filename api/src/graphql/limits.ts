import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import depthLimit from 'graphql-depth-limit';
import { createRequire } from 'node:module';
import type * as QueryComplexity from 'graphql-query-complexity';
import { ErrorCode } from './errors.ts';

// The library's ESM build imports `graphql/index.mjs`, a second copy of graphql beside the CommonJS
// one the schema was built with ("Cannot use GraphQLObjectType from another module or realm").
// Its CommonJS build shares graphql with the rest of the API.
const { fieldExtensionsEstimator, getComplexity, simpleEstimator } = createRequire(import.meta.url)(
  'graphql-query-complexity',
) as typeof QueryComplexity;

/** How deeply a query may nest selections. The deepest useful query today is 6 levels. */
export const MAX_QUERY_DEPTH = 10;
/** The most a query may cost: a field costs 1, a connection's children cost `first` times. */
export const MAX_QUERY_COST = 5000;

export const depthLimitRule = depthLimit(MAX_QUERY_DEPTH);

function estimateCost(
  schema: GraphQLSchema,
  query: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
): number {
  try {
    return getComplexity({
      schema,
      query,
      variables: variables ?? {},
      ...(operationName ? { operationName } : {}),
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (error) {
    // Estimating reads the variables first: invalid ones are the caller's error, as in execution.
    if (error instanceof GraphQLError) {
      throw new GraphQLError(error.message, {
        nodes: error.nodes,
        extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
      });
    }
    throw error;
  }
}

/**
 * Refuses a query whose estimated cost exceeds MAX_QUERY_COST before anything runs, and reports
 * the cost of every answered query in `extensions.cost`.
 */
export function queryCostPlugin(schema: GraphQLSchema): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ document, request, contextValue }) => {
          const cost = estimateCost(schema, document, request.variables, request.operationName);
          if (cost > MAX_QUERY_COST) {
            throw new GraphQLError(
              `query cost ${cost} exceeds the limit of ${MAX_QUERY_COST}: ask for fewer items ` +
                '(smaller `first`) or fewer nested fields',
              {
                extensions: {
                  code: ErrorCode.BAD_USER_INPUT,
                  cost,
                  maxCost: MAX_QUERY_COST,
                  http: { status: 400 },
                },
              },
            );
          }
          (contextValue as { queryCost?: number }).queryCost = cost;
          return Promise.resolve();
        },
        willSendResponse: ({ response, contextValue }) => {
          const cost = (contextValue as { queryCost?: number }).queryCost;
          if (cost !== undefined && response.body.kind === 'single') {
            response.body.singleResult.extensions = {
              ...response.body.singleResult.extensions,
              cost: { requested: cost, limit: MAX_QUERY_COST },
            };
          }
          return Promise.resolve();
        },
      }),
  };
}
