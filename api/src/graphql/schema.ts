import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ExperimentsResolver } from './experiments/experiments.resolver.ts';
import { RunsResolver } from './runs/runs.resolver.ts';

let schema: Promise<GraphQLSchema> | undefined;

/** The API's GraphQL schema, built once per process from the resolvers' decorators. */
export function getSchema(): Promise<GraphQLSchema> {
  schema ??= buildSchema({
    resolvers: [RunsResolver, ExperimentsResolver],
    validate: false,
  });
  return schema;
}
