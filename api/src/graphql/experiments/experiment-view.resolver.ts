import { Arg, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { badUserInput } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { toRun } from '../runs/runs.service.ts';
import { Run } from '../runs/run.type.ts';
import { Experiment } from './experiment.type.ts';

/** An experiment's runs shown at most: retries and repeats of one config, rarely more than a few. */
const MAX_EXPERIMENT_RUNS = 100;

/** Reading one experiment back: its config, its runs and the sweep it is a point of. */
@Resolver(() => Experiment)
export class ExperimentViewResolver {
  @Authorized('VIEWER')
  @Query(() => Experiment, {
    nullable: true,
    description: 'One experiment, or null when none has this id.',
  })
  async experiment(
    @Arg('id', () => ID) id: string,
    @Ctx() { db }: ApiContext,
  ): Promise<Experiment | null> {
    if (!isUuid(id)) throw badUserInput('id', 'is not an experiment id (a UUID)');
    const row = await db.experiment.findUnique({ where: { id } });
    if (row === null) return null;
    const [runCount, latest] = await Promise.all([
      db.run.count({ where: { experimentId: id } }),
      db.run.findFirst({
        where: { experimentId: id },
        include: { experiment: true },
        orderBy: [{ queuedAt: 'desc' }, { id: 'desc' }],
      }),
    ]);
    return { ...row, runCount, latestRun: latest ? toRun(latest) : null };
  }

  @FieldResolver(() => [Run], {
    description: `The experiment's runs (its first and every retry), newest first; at most ${MAX_EXPERIMENT_RUNS}.`,
    complexity: ({ childComplexity }) => 10 * childComplexity,
  })
  async runs(@Root() experiment: Experiment, @Ctx() { db }: ApiContext): Promise<Run[]> {
    const rows = await db.run.findMany({
      where: { experimentId: experiment.id },
      include: { experiment: true },
      orderBy: [{ queuedAt: 'desc' }, { id: 'desc' }],
      take: MAX_EXPERIMENT_RUNS,
    });
    return rows.map(toRun);
  }
}
