import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isListType,
  Kind,
  specifiedRules,
  validate,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import depthLimit from 'graphql-depth-limit';
import { createRequire } from 'node:module';
import type * as QueryComplexity from 'graphql-query-complexity';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { ErrorCode } from './errors.ts';
import { ExpensiveQueryGate } from './expensive-query-gate.ts';
import { variablesError, wellFormedTextRule } from './input-rules.ts';

// The library's ESM build imports `graphql/index.mjs`, a second copy of graphql beside the CommonJS
// one the schema was built with ("Cannot use GraphQLObjectType from another module or realm").
// Its CommonJS build shares graphql with the rest of the API.
const { createComplexityRule, fieldExtensionsEstimator, simpleEstimator } = createRequire(
  import.meta.url,
)('graphql-query-complexity') as typeof QueryComplexity;

/** The largest request body (HTTP) or message (WebSocket) the API reads: 1 MiB. */
export const MAX_REQUEST_BYTES = 2 ** 20;
/** How deeply a query may nest selections. The deepest useful query today is 6 levels. */
export const MAX_QUERY_DEPTH = 10;
/** The most a request may cost: see `priceField`. */
export const MAX_QUERY_COST = 5000;
/**
 * What a top-level list costs before its rows: a page query and a count (or an aggregation, for
 * the leaderboard) of its own. A lookup by id (`run(id)`) costs only its selection.
 */
export const ROOT_LIST_COST = 50;
/** A mutation writes (a run, a queue job, a hashed file): priced well above a read. */
export const MUTATION_FIELD_COST = 250;
/** The most mutation fields, aliases included, one request may carry. */
export const MAX_MUTATIONS_PER_REQUEST = 10;

const fieldExtensions = fieldExtensionsEstimator();
const oneEach = simpleEstimator({ defaultComplexity: 1 });

function isListOrConnection(type: GraphQLOutputType): boolean {
  return isListType(getNullableType(type)) || getNamedType(type).name.endsWith('Connection');
}

/**
 * A field costs what its resolver declares (a connection: its children times `first`; a list of
 * metrics: ten times its children) but never less than fetching its selection once, so a zero or
 * negative `first` cannot offset the rest of the request. Mutations and top-level lists add what
 * their own database work costs; aliases are priced field by field, as often as they are written.
 */
const priceField: ComplexityEstimator = (options) => {
  const declared = fieldExtensions(options) ?? oneEach(options) ?? 1;
  const price = Math.max(declared, 1 + options.childComplexity);
  const parent = options.type.name;
  if (parent === 'Mutation') return price + MUTATION_FIELD_COST;
  if (parent === 'Query' && isListOrConnection(options.field.type)) return price + ROOT_LIST_COST;
  return price;
};

function requestError(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 }, ...extensions },
  });
}

/** The mutation fields a selection set runs, through fragments and inline fragments. */
function countRootFields(
  selectionSet: SelectionSetNode,
  context: ValidationContext,
  seen: Set<string>,
): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename') count++;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countRootFields(selection.selectionSet, context, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = context.getFragment(selection.name.value);
      if (fragment) count += countRootFields(fragment.selectionSet, context, seen);
    }
  }
  return count;
}

/** Refuses a request carrying more than MAX_MUTATIONS_PER_REQUEST mutation fields. */
const mutationCountRule: ValidationRule = (context): ASTVisitor => ({
  OperationDefinition(operation) {
    if (operation.operation !== 'mutation') return;
    const count = countRootFields(operation.selectionSet, context, new Set());
    if (count > MAX_MUTATIONS_PER_REQUEST) {
      context.reportError(
        requestError(
          `the request carries ${count} mutations, more than the ${MAX_MUTATIONS_PER_REQUEST} ` +
            'allowed in one request: send them in several requests (queueSweep queues many runs ' +
            'at once)',
          { maxMutations: MAX_MUTATIONS_PER_REQUEST },
        ),
      );
    }
  },
});

/**
 * The limits every operation meets, over HTTP and over WebSocket alike: text PostgreSQL can store,
 * depth, estimated cost (with these variables) and mutations per request. `onCost` receives the
 * estimated cost.
 */
export function requestLimitRules(
  variables: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
  onCost: (cost: number) => void = () => {},
): ValidationRule[] {
  return [
    wellFormedTextRule,
    depthLimit(MAX_QUERY_DEPTH),
    mutationCountRule,
    createComplexityRule({
      maximumComplexity: MAX_QUERY_COST,
      variables: variables ?? {},
      ...(operationName ? { operationName } : {}),
      estimators: [priceField],
      onComplete: onCost,
      createError: (max, actual) =>
        requestError(
          `query cost ${actual} exceeds the limit of ${max}: ask for fewer items (smaller ` +
            '`first`), fewer nested fields or fewer aliased copies of a field',
          { cost: actual, maxCost: max },
        ),
    }),
  ];
}

/** Any validation error as a request error: BAD_USER_INPUT unless it already has a code. */
function asRequestError(error: GraphQLError): GraphQLError {
  if (error.extensions.code) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    extensions: { ...error.extensions, code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
  });
}

/**
 * Validates an operation as it will run: its variables (see variablesError), GraphQL's own rules
 * (unless the transport already ran them) and the request limits. Returns the errors, and the
 * cost when it could be estimated.
 */
export function checkOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  request: {
    variables?: Record<string, unknown> | null;
    operationName?: string | null;
    includeSpecifiedRules: boolean;
  },
): { errors: GraphQLError[]; cost: number | undefined } {
  const badVariables = variablesError(request.variables);
  if (badVariables) return { errors: [badVariables], cost: undefined };
  let cost: number | undefined;
  const limits = requestLimitRules(request.variables, request.operationName, (estimated) => {
    cost = estimated;
  });
  if (request.includeSpecifiedRules) {
    const invalid = validate(schema, document, specifiedRules);
    if (invalid.length > 0) return { errors: invalid.map(asRequestError), cost };
  }
  // The first limit broken is enough to refuse; the others would repeat it in other words.
  const errors = validate(schema, document, limits).slice(0, 1).map(asRequestError);
  return { errors, cost };
}

/** Variable sets remembered per document: a page's queries vary a few (first, after, filter). */
const MAX_PASSED_PER_DOCUMENT = 100;

/** The operations (document, operation name and variables) that met the limits, with costs. */
class PassedChecks {
  private readonly byDocument = new WeakMap<DocumentNode, Map<string, { cost?: number }>>();

  get(document: DocumentNode, key: string): { cost?: number } | undefined {
    return this.byDocument.get(document)?.get(key);
  }

  add(document: DocumentNode, key: string, cost: number | undefined): void {
    let passed = this.byDocument.get(document);
    if (!passed) this.byDocument.set(document, (passed = new Map()));
    passed.set(key, cost === undefined ? {} : { cost });
    if (passed.size > MAX_PASSED_PER_DOCUMENT) passed.delete(passed.keys().next().value as string);
  }
}

/**
 * Apollo's side of the shared limits: refuses an operation over them before anything runs, admits
 * expensive ones through `gate` one at a time, and reports the cost of every answered query in
 * `extensions.cost`.
 */
export function requestLimitsPlugin(
  schema: GraphQLSchema,
  gate = new ExpensiveQueryGate(),
): ApolloServerPlugin {
  const passed = new PassedChecks();
  return {
    requestDidStart: () => {
      let release = () => {};
      return Promise.resolve({
        didResolveOperation: async ({ document, request, contextValue }) => {
          const { variables, operationName } = request;
          const badVariables = variablesError(variables);
          if (badVariables) throw badVariables;
          // Apollo keeps one parsed and validated document per query text: the limits' verdict
          // on it with the same operation and variables is the same too.
          const key = JSON.stringify([operationName ?? null, variables ?? null]);
          const known = passed.get(document, key);
          let cost = known?.cost;
          if (!known) {
            const checked = checkOperation(schema, document, {
              variables,
              operationName,
              includeSpecifiedRules: false,
            });
            if (checked.errors[0]) throw checked.errors[0];
            cost = checked.cost;
            passed.add(document, key, cost);
          }
          (contextValue as { queryCost?: number }).queryCost = cost;
          release = await gate.admit(cost, (contextValue as { signal?: AbortSignal }).signal);
        },
        willSendResponse: ({ response, contextValue }) => {
          release();
          const cost = (contextValue as { queryCost?: number }).queryCost;
          if (cost !== undefined && response.body.kind === 'single') {
            response.body.singleResult.extensions = {
              ...response.body.singleResult.extensions,
              cost: { requested: cost, limit: MAX_QUERY_COST },
            };
          }
          return Promise.resolve();
        },
      });
    },
  };
}
