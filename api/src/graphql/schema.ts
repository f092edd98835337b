import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { buildSchema } from 'type-graphql';
import { authChecker } from './auth-checker.ts';
import { BenchmarksResolver } from './benchmarks/benchmarks.resolver.ts';
import { CompareResolver } from './compare/compare.resolver.ts';
import { ComparedRunFactorisationResolver } from './compare/compared-run-factorisation.resolver.ts';
import { DatasetsResolver } from './datasets/datasets.resolver.ts';
import { ExperimentViewResolver } from './experiments/experiment-view.resolver.ts';
import { ExperimentsResolver } from './experiments/experiments.resolver.ts';
import { JobKindsResolver } from './job-kinds/job-kinds.resolver.ts';
import { LeaderboardConfigurationResolver } from './leaderboard/configuration.resolver.ts';
import { LeaderboardResolver } from './leaderboard/leaderboard.resolver.ts';
import { ModelsResolver } from './models/models.resolver.ts';
import { RunIdsResolver } from './run-ids/run-ids.resolver.ts';
import { RunLogsResolver } from './run-logs/run-logs.resolver.ts';
import { RunActionsResolver } from './runs/run-actions.resolver.ts';
import { RunRecordsResolver } from './runs/run-records.resolver.ts';
import { RunsResolver } from './runs/runs.resolver.ts';
import { SubscriptionsResolver } from './subscriptions/subscriptions.resolver.ts';
import { RunSweepResolver, SweepViewResolver } from './sweep-view/sweep-view.resolver.ts';
import { SweepsResolver } from './sweeps/sweeps.resolver.ts';
import { WorkerStatusesResolver } from './worker-view/worker-statuses.resolver.ts';
import { WorkerExitResolver } from './workers/worker-exit.resolver.ts';

let schema: Promise<GraphQLSchema> | undefined;

/** The API's GraphQL schema, built once per process from the resolvers' decorators. */
export function getSchema(): Promise<GraphQLSchema> {
  schema ??= buildSchema({
    resolvers: [
      RunsResolver,
      RunActionsResolver,
      ExperimentsResolver,
      ExperimentViewResolver,
      SubscriptionsResolver,
      CompareResolver,
      ComparedRunFactorisationResolver,
      LeaderboardResolver,
      LeaderboardConfigurationResolver,
      SweepsResolver,
      ModelsResolver,
      DatasetsResolver,
      BenchmarksResolver,
      RunRecordsResolver,
      RunIdsResolver,
      RunLogsResolver,
      SweepViewResolver,
      RunSweepResolver,
      WorkerStatusesResolver,
      WorkerExitResolver,
      JobKindsResolver,
    ],
    validate: false,
    // type-graphql insists on a PubSub once any subscription exists; ours bring their own
    // `subscribe` (Postgres LISTEN, see events/change-feed.ts), so this one stays idle.
    pubSub: createPubSub(),
    authChecker,
  });
  return schema;
}
