import { GraphQLError } from 'graphql';

/** The fixed set of `extensions.code` values the API returns. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  /** The API cannot take the request now (it is stopping): the same request may succeed later. */
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Invalid input: `field` is the dotted path of the offending input field, e.g. `config.size`. */
export function badUserInput(field: string, message: string): GraphQLError {
  return new GraphQLError(`${field}: ${message}`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, field },
  });
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN } });
}

export function notFound(what: string, id: string): GraphQLError {
  return new GraphQLError(`${what} ${id} does not exist`, {
    extensions: { code: ErrorCode.NOT_FOUND },
  });
}

/** Several ids named nothing: all of them are listed, in the message and in `extensions.ids`. */
export function notFoundIds(what: string, ids: readonly string[]): GraphQLError {
  return new GraphQLError(`no ${what} has the id ${ids.join(', ')}`, {
    extensions: { code: ErrorCode.NOT_FOUND, ids },
  });
}

/** The request clashes with what exists, e.g. a name already taken. */
export function conflict(field: string, message: string): GraphQLError {
  return new GraphQLError(`${field}: ${message}`, {
    extensions: { code: ErrorCode.CONFLICT, field },
  });
}

/** The API cannot serve the request now; sending it again later may succeed. */
export function unavailable(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.UNAVAILABLE } });
}
