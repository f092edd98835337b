import DataLoader from 'dataloader';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { Factorisation, factorisationOfRun } from '../leaderboard/factorisation.ts';
import { ComparedRun } from './compare.type.ts';

// One loader per request, kept beside its context rather than in it: only this resolver uses it.
const configLoaders = new WeakMap<ApiContext, DataLoader<string, unknown>>();

function configLoader(context: ApiContext): DataLoader<string, unknown> {
  let loader = configLoaders.get(context);
  if (!loader) {
    loader = new DataLoader(async (runIds: readonly string[]) => {
      const rows = await context.db.run.findMany({
        where: { id: { in: [...runIds] } },
        select: { id: true, experiment: { select: { config: true } } },
      });
      const byId = new Map(rows.map((row) => [row.id, row.experiment.config]));
      return runIds.map((id) => byId.get(id) ?? null);
    });
    configLoaders.set(context, loader);
  }
  return loader;
}

/** A compared run's factorisation, as the leaderboard shows it. */
@Resolver(() => ComparedRun)
export class ComparedRunFactorisationResolver {
  @FieldResolver(() => Factorisation, {
    nullable: true,
    description:
      "The run's factorisation (split, router, gating, N, k, PA, distillation), or `dense`; " +
      'null for job kinds whose config says nothing of one.',
  })
  async factorisation(
    @Root() run: ComparedRun,
    @Ctx() context: ApiContext,
  ): Promise<Factorisation | null> {
    const config = await configLoader(context).load(run.id);
    return factorisationOfRun(run.kind, config, async () => {
      const [latest] = await context.benchmarks.load(run.id);
      return latest ?? null;
    });
  }
}
