import type { Tensor } from '../tensor/tensor.ts';

/**
 * A [rows, columns] matrix kept as consecutive blocks of `blockRows` rows (the last may be
 * shorter), each a tensor of its own: one storage binding holds at most the device's
 * maxStorageBufferBindingSize (lavapipe: 128 MiB), less than the embeddings of a large vocabulary
 * (Llama 3: 128,256 x 2048 in f16 is 525 MB). A matrix that fits is one block.
 */
export interface RowBlocks {
  blocks: Tensor[];
  blockRows: number;
  rows: number;
  columns: number;
  /** Blocks stored lane-blocked for the row-streaming kernels (see laneBlock), each padded. */
  laneBlocked: boolean;
}

/** Each block's first row and its rows (the last block's may be fewer; padding not counted). */
export function blockSpans({
  blocks,
  blockRows,
  rows,
}: RowBlocks): { first: number; rows: number }[] {
  return blocks.map((_, index) => ({
    first: index * blockRows,
    rows: Math.min(blockRows, rows - index * blockRows),
  }));
}
