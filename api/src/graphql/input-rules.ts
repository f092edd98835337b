import { GraphQLError, type ASTVisitor, type ValidationRule } from 'graphql';
import { ErrorCode } from './errors.ts';
import { jsonInputProblem, textProblem } from './json-input.ts';

/** Refuses string literals PostgreSQL cannot store (NUL) or that are not Unicode (lone surrogates). */
export const wellFormedTextRule: ValidationRule = (context): ASTVisitor => ({
  StringValue(node) {
    const problem = textProblem(node.value);
    if (problem) {
      context.reportError(
        new GraphQLError(`a string in the query ${problem}`, {
          nodes: node,
          extensions: { code: ErrorCode.BAD_USER_INPUT },
        }),
      );
    }
  },
});

/**
 * Why the request's variables are refused, before anything reads them: nesting past
 * MAX_JSON_DEPTH (which would exhaust the stack of whatever walks them), prototype keys, or text
 * PostgreSQL cannot store. Null when they are fine.
 */
export function variablesError(variables: unknown): GraphQLError | null {
  const problem = jsonInputProblem(variables ?? {});
  if (!problem) return null;
  return new GraphQLError(`variables: ${problem.replace(/^the value /, '')}`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
  });
}

/** Whether a stack overflow (RangeError) lies anywhere along an error's `originalError` chain. */
function exhaustedTheStack(error: unknown): boolean {
  for (let current = error; current; current = (current as GraphQLError).originalError) {
    if (current instanceof RangeError) return true;
    if (!(current instanceof GraphQLError)) return false;
  }
  return false;
}

/** What a query that failed to parse is told: the syntax error, or that it nests too deeply. */
export function parseFailureMessage(error: unknown): string | null {
  if (exhaustedTheStack(error)) {
    return 'the query nests too deeply to parse; flatten its values or pass them as variables';
  }
  return error instanceof GraphQLError ? error.message : null;
}
