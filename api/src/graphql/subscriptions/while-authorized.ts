import type { ApiContext } from '../context.ts';
import { unauthenticated } from '../errors.ts';

/**
 * Passes on `source`'s events while the subscriber's key stays valid: before each event the key
 * is checked again, so a revoked key ends delivery with UNAUTHENTICATED at the next event.
 */
export async function* whileAuthorized<T>(
  context: ApiContext,
  source: AsyncGenerator<T>,
): AsyncGenerator<T> {
  try {
    for await (const event of source) {
      const viewer = await context.reidentify();
      if (viewer.kind !== 'key' && viewer.kind !== 'local') {
        throw unauthenticated(
          'the API key of this subscription was revoked or is no longer valid: subscribe again ' +
            'with a valid key',
        );
      }
      yield event;
    }
  } finally {
    await source.return(undefined);
  }
}
