import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { badUserInput, notFound } from '../errors.ts';
import { uuidPrefixRange } from './run-id-prefix.ts';

/** Short ids (the first digits the CLI and the dashboard show) turned into full run ids. */
@Resolver()
export class RunIdsResolver {
  @Authorized('VIEWER')
  @Query(() => ID, {
    description:
      'The full id of the one run whose id starts with `prefix` (a short id such as 1a2b3c4d, ' +
      'at least 4 hex digits, or a whole id). NOT_FOUND when no run has it, BAD_USER_INPUT ' +
      'when several do.',
  })
  async runId(@Arg('prefix', () => String) prefix: string, @Ctx() { db }: ApiContext) {
    const range = uuidPrefixRange(prefix);
    if (typeof range === 'string') throw badUserInput('prefix', range);
    const runs = await db.run.findMany({
      where: { id: { gte: range.low, lte: range.high } },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: 3,
    });
    if (runs.length === 0) throw notFound('run', prefix);
    if (runs.length > 1) {
      const shown = runs.map((run) => run.id).join(', ');
      throw badUserInput(
        'prefix',
        `"${prefix}" starts several run ids (${shown}${runs.length > 2 ? ', ...' : ''}): give more digits`,
      );
    }
    return runs[0]!.id;
  }
}
