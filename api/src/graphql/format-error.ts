import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from './errors.ts';
import { parseFailureMessage } from './input-rules.ts';

const knownCodes = new Set<string>(Object.values(ErrorCode));

/** Apollo's own codes for malformed requests, folded into the API's fixed set. */
const requestErrorCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Every error leaves the API with an `extensions.code` from the fixed set and without a stack
 * trace. Unexpected errors are logged in full and reach the client without internals.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
  const code = String(extensions.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
  if (knownCodes.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    return { ...formatted, extensions };
  }
  if (requestErrorCodes.has(code)) {
    return {
      ...formatted,
      message: parseFailureMessage(error) ?? formatted.message,
      extensions: { ...extensions, code: ErrorCode.BAD_USER_INPUT },
    };
  }
  console.error('[api] internal error:', error);
  return {
    message: 'internal server error; the API log has the details',
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}
