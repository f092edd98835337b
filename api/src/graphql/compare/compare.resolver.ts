import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { compareRuns } from './compare.service.ts';
import { RunComparison } from './compare.type.ts';

@Resolver()
export class CompareResolver {
  @Authorized('VIEWER')
  @Query(() => RunComparison, {
    description:
      '2 to 50 runs side by side: config keys (only differing ones with `differingOnly`) and ' +
      'latest metric values.',
    // Each compared run is a column of every row.
    complexity: ({ args, childComplexity }) =>
      1 + childComplexity * Math.max(1, (args.runIds as unknown[] | undefined)?.length ?? 1),
  })
  compare(
    @Arg('runIds', () => [ID]) runIds: string[],
    @Arg('differingOnly', () => Boolean, { defaultValue: false }) differingOnly: boolean,
    @Ctx() { db }: ApiContext,
  ): Promise<RunComparison> {
    return compareRuns(db, runIds, differingOnly);
  }
}
