import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { roleAllows } from '../../auth/roles.ts';
import type { ApiContext } from '../context.ts';
import { GenerationCache } from './generation-cache.ts';
import { readLeaderboardGeneration } from './leaderboard-page.ts';

/**
 * The fields whose values the leaderboard generation covers: everything they read is either in
 * the page cached for that generation (the representative run's own row, its metrics and
 * benchmarks) or in tables whose changes bump it (succeeded runs, their metric summaries and
 * benchmarks, experiments; migration 20261206230000_leaderboard_generation). A field not listed
 * here (a run's logs, artifacts, series...) keeps its operation out of the response cache; a field
 * added to these types stays out until it is listed.
 */
const COVERED_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  Query: new Set(['leaderboard']),
  LeaderboardConnection: new Set(['edges', 'pageInfo', 'totalCount']),
  LeaderboardEdge: new Set(['cursor', 'node']),
  PageInfo: new Set(['hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor']),
  LeaderboardEntry: new Set([
    ...['kind', 'configHash', 'config', 'runCount', 'run'],
    ...['factorisation', 'spread', 'quality', 'speed'],
  ]),
  QualityMetrics: new Set([
    ...['retention', 'perplexity', 'accuracy'],
    ...['perplexityRatio', 'klToTeacher', 'top1Agreement'],
  ]),
  SpeedMetrics: new Set(['decodeTokS', 'speedup', 'bound', 'efficiency', 'device', 'benchmarkId']),
  MetricSpread: new Set(['key', 'count', 'mean', 'min', 'max', 'stdDev']),
  Factorisation: new Set([
    ...['dense', 'experts', 'topK', 'split', 'router', 'gating'],
    ...['sharedExpertSize', 'priorApproximation', 'distillation', 'ffnDistillation', 'label'],
  ]),
  // The run's own row (and its experiment's name): not its logs, artifacts, metrics or series.
  Run: new Set([
    ...['id', 'experimentId', 'name', 'kind', 'status', 'priority', 'attempt', 'progress'],
    ...['error', 'device', 'config', 'tags', 'queuedAt', 'startedAt', 'finishedAt'],
  ]),
};

/** Directives that only choose fields (their variables are part of the cache key). */
const FIELD_CHOICE_DIRECTIVES = new Set(['include', 'skip']);

/** Whether every field `selectionSet` selects on `type`, through fragments, is covered. */
function selectsCoveredFields(
  schema: GraphQLSchema,
  type: GraphQLNamedType | undefined,
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  seen: Set<string>,
): boolean {
  if (!type || !isObjectType(type)) return false;
  const covered = COVERED_FIELDS[type.name];
  if (!covered) return false;
  return selectionSet.selections.every((selection) => {
    if (selection.directives?.some((d) => !FIELD_CHOICE_DIRECTIVES.has(d.name.value))) return false;
    switch (selection.kind) {
      case Kind.FIELD: {
        const name = selection.name.value;
        if (name === '__typename') return true;
        const field = type.getFields()[name];
        if (!field || !covered.has(name)) return false;
        if (!selection.selectionSet) return true;
        return selectsCoveredFields(
          schema,
          getNamedType(field.type),
          selection.selectionSet,
          fragments,
          seen,
        );
      }
      case Kind.INLINE_FRAGMENT: {
        const on = selection.typeCondition
          ? schema.getType(selection.typeCondition.name.value)
          : type;
        return (
          on === type && selectsCoveredFields(schema, type, selection.selectionSet, fragments, seen)
        );
      }
      case Kind.FRAGMENT_SPREAD: {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || schema.getType(fragment.typeCondition.name.value) !== type) return false;
        const at = `${fragment.name.value}@${type.name}`;
        if (seen.has(at)) return true; // already checked (validation refuses fragment cycles)
        seen.add(at);
        return selectsCoveredFields(schema, type, fragment.selectionSet, fragments, seen);
      }
    }
  });
}

/**
 * Whether `operation` is a query whose every field the leaderboard generation covers (see
 * COVERED_FIELDS): the leaderboard and nothing else.
 */
export function coveredByLeaderboardGeneration(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): boolean {
  if (operation.operation !== 'query' || operation.directives?.length) return false;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  return selectsCoveredFields(
    schema,
    schema.getQueryType() ?? undefined,
    operation.selectionSet,
    fragments,
    new Set(),
  );
}

/** Answers kept per API process: a dashboard asks for a handful of sorts, filters and pages. */
const MAX_CACHED_RESPONSES = 200;

/**
 * Answers a leaderboard-only query (see coveredByLeaderboardGeneration) from the answer computed
 * for the same query text, operation, variables and role at the current leaderboard generation,
 * skipping its execution. Each request still reads the generation (one row), so no process serves
 * an answer older than the last commit that changed the board, and still meets the request limits
 * (which run before). Only answers without errors are kept.
 */
export function leaderboardResponseCachePlugin(
  schema: GraphQLSchema,
): ApolloServerPlugin<ApiContext> {
  const answers = new GenerationCache<Record<string, unknown>>(MAX_CACHED_RESPONSES);
  // Per document (Apollo keeps one parsed document per query text) and operation name.
  const coverage = new WeakMap<DocumentNode, Map<string, boolean>>();
  const covered = (document: DocumentNode, operation: OperationDefinitionNode): boolean => {
    let byOperation = coverage.get(document);
    if (!byOperation) coverage.set(document, (byOperation = new Map()));
    const name = operation.name?.value ?? '';
    let answer = byOperation.get(name);
    if (answer === undefined) {
      answer = coveredByLeaderboardGeneration(schema, document, operation);
      byOperation.set(name, answer);
    }
    return answer;
  };

  return {
    requestDidStart: () => {
      let pending: { generation: bigint; key: string } | undefined;
      return Promise.resolve({
        responseForOperation: async ({ document, operation, request, queryHash, contextValue }) => {
          const { viewer, db } = contextValue;
          if (!('role' in viewer) || !roleAllows(viewer.role, 'VIEWER')) return null;
          if (!covered(document, operation)) return null;
          const generation = await readLeaderboardGeneration(db);
          const key = JSON.stringify([
            viewer.role,
            queryHash,
            request.operationName ?? null,
            request.variables ?? null,
          ]);
          const data = await answers.peek(generation, key);
          if (data) {
            return {
              http: { status: undefined, headers: new HeaderMap() },
              body: { kind: 'single', singleResult: { data } },
            };
          }
          pending = { generation, key };
          return null;
        },
        willSendResponse: ({ response }) => {
          if (pending && response.body.kind === 'single') {
            const { data, errors } = response.body.singleResult;
            if (data && !errors)
              answers.store(pending.generation, pending.key, Promise.resolve(data));
          }
          return Promise.resolve();
        },
      });
    },
  };
}
