import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from './auth-checker.ts';
import { ExperimentsResolver } from './experiments/experiments.resolver.ts';
import { RunActionsResolver } from './runs/run-actions.resolver.ts';
import { RunsResolver } from './runs/runs.resolver.ts';

let schema: Promise<GraphQLSchema> | undefined;

/** The API's GraphQL schema, built once per process from the resolvers' decorators. */
export function getSchema(): Promise<GraphQLSchema> {
  schema ??= buildSchema({
    resolvers: [RunsResolver, RunActionsResolver, ExperimentsResolver],
    validate: false,
    authChecker,
  });
  return schema;
}
