import DataLoader from 'dataloader';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import {
  MetricSpread,
  spreadsByConfiguration,
  type ConfigurationKey,
} from './configuration-spread.ts';
import { Factorisation, factorisationOfRun } from './factorisation.ts';
import { LeaderboardEntry } from './leaderboard.type.ts';

// One loader per request, kept beside its context rather than in it: only this resolver uses it.
const spreadLoaders = new WeakMap<ApiContext, DataLoader<ConfigurationKey, MetricSpread[]>>();

function spreadLoader(context: ApiContext): DataLoader<ConfigurationKey, MetricSpread[]> {
  let loader = spreadLoaders.get(context);
  if (!loader) {
    loader = new DataLoader((keys) => spreadsByConfiguration(context.db, keys), {
      cacheKeyFn: ({ kind, configHash }) => `${kind}\n${configHash}`,
    });
    spreadLoaders.set(context, loader);
  }
  return loader;
}

/** What a leaderboard entry's configuration is (its factorisation) and how its runs agree. */
@Resolver(() => LeaderboardEntry)
export class LeaderboardConfigurationResolver {
  @FieldResolver(() => Factorisation, {
    nullable: true,
    description:
      "The configuration's factorisation (split, router, gating, N, k, PA, distillation), or " +
      '`dense`; null for job kinds whose config says nothing of one.',
  })
  async factorisation(
    @Root() entry: LeaderboardEntry,
    @Ctx() { benchmarks }: ApiContext,
  ): Promise<Factorisation | null> {
    return factorisationOfRun(entry.kind, entry.config, async () => {
      const [latest] = await benchmarks.load(entry.run.id);
      return latest ?? null;
    });
  }

  @FieldResolver(() => [MetricSpread], {
    description:
      'Mean and spread of each quality and speed figure over every succeeded run of the ' +
      'configuration; empty when it has one run (its figures are the run’s own).',
  })
  async spread(
    @Root() entry: LeaderboardEntry,
    @Ctx() context: ApiContext,
  ): Promise<MetricSpread[]> {
    if (entry.runCount < 2) return [];
    return spreadLoader(context).load({ kind: entry.kind, configHash: entry.configHash });
  }
}
