/**
 * What a graphql-ws subscription's `error` callback received, as one Error: the API's own
 * messages when it answered with GraphQL errors, `otherwise` for a closed or failed connection.
 */
export function subscriptionError(received: unknown, otherwise: () => Error): Error {
  if (received instanceof Error) return received;
  if (Array.isArray(received) && received.length > 0) {
    const messages = received.map((error: unknown) =>
      typeof error === 'object' && error !== null && 'message' in error
        ? String((error as { message: unknown }).message)
        : String(error),
    );
    return new Error(messages.join('; '));
  }
  return otherwise();
}
