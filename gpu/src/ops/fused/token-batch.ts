/**
 * No kernel: the packed token table (id, cache slot, position) that the fused kernels read.
 */
/** Per packed token: its id, its sequence's KV-cache slot, its position in that sequence. */
export const TOKEN_FIELDS = 3;

/** New tokens of one sequence: `ids` continue the `start` tokens its cache slot already holds. */
export interface SequenceChunk {
  slot: number;
  start: number;
  ids: readonly number[];
}

/**
 * Sequences of different lengths packed row after row (a ragged batch): no padding, each token
 * knows its slot and position, so prefill and decode are the same forward pass.
 */
export interface TokenBatch {
  table: Int32Array;
  count: number;
  /** The packed row of each sequence's last token. */
  lastRows: number[];
  /** One past the largest position any token has: the cache length attention must cover. */
  span: number;
  /** Each sequence's new tokens: its slot, its first position, its first packed row, how many. */
  runs: TokenRun[];
}

export interface TokenRun {
  slot: number;
  start: number;
  row: number;
  length: number;
}

/** The largest id a token table holds (i32). */
const MAX_TOKEN_ID = 2 ** 31 - 1;

export function packTokens(chunks: readonly SequenceChunk[]): TokenBatch {
  const count = chunks.reduce((total, chunk) => total + chunk.ids.length, 0);
  const table = new Int32Array(count * TOKEN_FIELDS);
  const lastRows: number[] = [];
  const runs: TokenRun[] = [];
  let row = 0;
  let span = 0;
  for (const { slot, start, ids } of chunks) {
    if (ids.length === 0) throw new Error(`sequence in cache slot ${slot} has no new tokens`);
    ids.forEach((id, offset) => {
      // Checked before the table narrows it to 32 bits, where 2^31 would wrap to a negative id.
      if (!Number.isInteger(id) || id < 0 || id > MAX_TOKEN_ID)
        throw new Error(`token id ${id} is not an integer from 0 to ${MAX_TOKEN_ID}`);
      table.set([id, slot, start + offset], (row + offset) * TOKEN_FIELDS);
    });
    runs.push({ slot, start, row, length: ids.length });
    row += ids.length;
    lastRows.push(row - 1);
    span = Math.max(span, start + ids.length);
  }
  return { table, count, lastRows, span, runs };
}
