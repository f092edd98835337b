import { TypedDocumentString } from './generated/graphql.ts';

/**
 * A document built at run time (one alias per run): the generator cannot read it, so its result
 * type is declared beside it from the generated fragments it spreads, and
 * test/web/operations-schema.test.ts validates it against the schema.
 */
export type RunTimeDocument<TData> = TypedDocumentString<TData, Record<string, unknown>>;

/** `operation` with the text of the generated `fragments` it spreads. */
export function runTimeDocument<TData>(
  operation: string,
  ...fragments: TypedDocumentString<unknown, unknown>[]
): RunTimeDocument<TData> {
  return new TypedDocumentString<TData, Record<string, unknown>>(
    [operation, ...fragments.map((fragment) => fragment.toString())].join('\n'),
  );
}
