import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { badUserInput, notFound } from '../errors.ts';
import { RunIdMatch } from './run-id-match.type.ts';
import { uuidPrefixRange } from './run-id-prefix.ts';
import {
  matchRunIds,
  MAX_PREFIXES,
  runIdsInRanges,
  severalRunsMessage,
} from './run-ids.service.ts';

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
    const [ids] = await runIdsInRanges(db, [range]);
    if (!ids?.length) throw notFound('run', prefix);
    if (ids.length > 1) throw badUserInput('prefix', severalRunsMessage(prefix, ids));
    return ids[0]!;
  }

  @Authorized('VIEWER')
  @Query(() => [RunIdMatch], {
    description:
      `Each of \`prefixes\` (up to ${MAX_PREFIXES}) resolved as \`runId\` resolves one, in ` +
      'order, in one request: the full id, or the reason there is none (unknown, several, not ' +
      'an id), so every bad prefix can be named at once.',
  })
  runIds(
    @Arg('prefixes', () => [String]) prefixes: string[],
    @Ctx() { db }: ApiContext,
  ): Promise<RunIdMatch[]> {
    if (prefixes.length > MAX_PREFIXES) {
      throw badUserInput('prefixes', `give at most ${MAX_PREFIXES} prefixes`);
    }
    return matchRunIds(db, prefixes);
  }
}
