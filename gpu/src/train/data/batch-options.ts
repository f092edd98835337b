import { parseSplitName, type SplitName } from './split.ts';

export type SplitTokens = Readonly<Record<SplitName, ArrayLike<number>>>;

export function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, not ${value}`);
}

/** The tokens of split `name`, checked to hold at least one window of `sequenceLength` targets. */
export function splitTokens(
  splits: SplitTokens,
  name: string,
  sequenceLength: number,
): { split: SplitName; tokens: ArrayLike<number> } {
  const split = parseSplitName(name);
  checkPositiveInteger('sequenceLength', sequenceLength);
  const tokens = splits[split];
  if (tokens.length < sequenceLength + 1)
    throw new RangeError(
      `the ${split} split has ${tokens.length} tokens, fewer than one window of sequenceLength ${sequenceLength} needs (${sequenceLength + 1}): use a shorter sequenceLength`,
    );
  return { split, tokens };
}

/** Copies tokens[start, start + length) into row `row` of `inputs` and the next ones into `targets`. */
export function fillRow(
  tokens: ArrayLike<number>,
  start: number,
  row: number,
  sequenceLength: number,
  inputs: Int32Array,
  targets: Int32Array,
): void {
  const offset = row * sequenceLength;
  for (let index = 0; index < sequenceLength; index++) {
    inputs[offset + index] = tokens[start + index]!;
    targets[offset + index] = tokens[start + index + 1]!;
  }
}
