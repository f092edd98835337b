/** The number of whitespace-separated words in `text`: the unit of perplexity per word. */
export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/**
 * One split's token stream: END_OF_TEXT, then each document followed by END_OF_TEXT, so every
 * document token is predicted from a context and every document ends with the separator.
 */
export function packDocuments(
  documents: readonly (readonly number[])[],
  endOfTextId: number,
): Uint16Array {
  const length = documents.reduce((sum, ids) => sum + ids.length + 1, 1);
  const stream = new Uint16Array(length);
  stream[0] = endOfTextId;
  let offset = 1;
  for (const ids of documents) {
    stream.set(ids, offset);
    offset += ids.length;
    stream[offset++] = endOfTextId;
  }
  return stream;
}
