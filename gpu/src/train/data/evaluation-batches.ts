import { checkPositiveInteger, fillRow, splitTokens, type SplitTokens } from './batch-options.ts';

export interface EvaluationBatch {
  /** Rows in this batch: batchSize, or fewer in the last one. */
  readonly rows: number;
  readonly sequenceLength: number;
  /** [rows, sequenceLength], row-major. */
  readonly inputs: Int32Array;
  readonly targets: Int32Array;
  /** 1 where the target counts towards the loss, 0 where an earlier window already scored it. */
  readonly mask: Uint8Array;
}

export interface EvaluationOptions {
  readonly split: string;
  readonly sequenceLength: number;
  readonly batchSize: number;
}

/**
 * The split once, in order, for held-out loss: windows of sequenceLength + 1 tokens at multiples
 * of sequenceLength, and where targets are left over, one last window ending at the stream's end
 * whose already-scored targets are masked. Every target of the stream (all but its first token)
 * is scored exactly once.
 */
export function* evaluationBatches(
  splits: SplitTokens,
  options: EvaluationOptions,
): Generator<EvaluationBatch> {
  const { sequenceLength, batchSize } = options;
  const { tokens } = splitTokens(splits, options.split, sequenceLength);
  checkPositiveInteger('batchSize', batchSize);
  const targetCount = tokens.length - 1;
  const fullWindows = Math.floor(targetCount / sequenceLength);
  const leftover = targetCount - fullWindows * sequenceLength;
  const windows = fullWindows + (leftover > 0 ? 1 : 0);
  for (let first = 0; first < windows; first += batchSize) {
    const rows = Math.min(batchSize, windows - first);
    const inputs = new Int32Array(rows * sequenceLength);
    const targets = new Int32Array(rows * sequenceLength);
    const mask = new Uint8Array(rows * sequenceLength).fill(1);
    for (let row = 0; row < rows; row++) {
      const window = first + row;
      const start = window < fullWindows ? window * sequenceLength : targetCount - sequenceLength;
      fillRow(tokens, start, row, sequenceLength, inputs, targets);
      if (window === fullWindows)
        mask.fill(0, row * sequenceLength, (row + 1) * sequenceLength - leftover);
    }
    yield { rows, sequenceLength, inputs, targets, mask };
  }
}
