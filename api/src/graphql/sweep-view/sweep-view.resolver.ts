import { Arg, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { badUserInput } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { toRun } from '../runs/runs.service.ts';
import { Run } from '../runs/run.type.ts';
import { Sweep } from '../sweeps/sweep.type.ts';

/** A sweep's points shown at most; sweeps refuse more than maxRuns (100 by default) anyway. */
const MAX_SWEEP_RUNS = 500;

/** Reading sweeps back: one sweep with its runs, and the sweep a run belongs to. */
@Resolver(() => Sweep)
export class SweepViewResolver {
  @Authorized('VIEWER')
  @Query(() => Sweep, { nullable: true, description: 'One sweep, or null when none has this id.' })
  async sweep(@Arg('id', () => ID) id: string, @Ctx() { db }: ApiContext): Promise<Sweep | null> {
    if (!isUuid(id)) throw badUserInput('id', 'is not a sweep id (a UUID)');
    const row = await db.sweep.findUnique({ where: { id } });
    if (row === null) return null;
    const runCount = await db.run.count({ where: { experiment: { sweepId: id } } });
    return { ...row, runCount };
  }

  @FieldResolver(() => [Run], {
    description: `The sweep's runs (every attempt of every point), oldest first; at most ${MAX_SWEEP_RUNS}.`,
    complexity: ({ childComplexity }) => 100 * childComplexity,
  })
  async runs(@Root() sweep: Sweep, @Ctx() { db }: ApiContext): Promise<Run[]> {
    const rows = await db.run.findMany({
      where: { experiment: { sweepId: sweep.id } },
      include: { experiment: true },
      orderBy: [{ queuedAt: 'asc' }, { id: 'asc' }],
      take: MAX_SWEEP_RUNS,
    });
    return rows.map(toRun);
  }
}

/** The sweep a run's experiment belongs to, so a run page can link to it. */
@Resolver(() => Run)
export class RunSweepResolver {
  @FieldResolver(() => ID, {
    nullable: true,
    description: "The sweep the run's experiment is a point of; null outside sweeps.",
  })
  async sweepId(@Root() run: Run, @Ctx() { db }: ApiContext): Promise<string | null> {
    const experiment = await db.experiment.findUnique({
      where: { id: run.experimentId },
      select: { sweepId: true },
    });
    return experiment?.sweepId ?? null;
  }
}
