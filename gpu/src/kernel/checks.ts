import type { DType } from '../tensor/dtype.ts';
import { formatShape, sameShape, type Shape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** "add([2, 3] f32, [3] f32)": the op and its inputs, the prefix of its error messages. */
export function describeCall(op: string, inputs: readonly Tensor[], attrs = ''): string {
  const described = inputs.map((input) => input.describe());
  return `${op}(${[...described, ...(attrs ? [attrs] : [])].join(', ')})`;
}

export function checkDtype(
  call: string,
  name: string,
  input: Tensor,
  allowed: readonly DType[],
): void {
  if (!allowed.includes(input.dtype)) {
    throw new Error(`${call}: ${name} must be ${allowed.join(' or ')}, not ${input.dtype}`);
  }
}

export function checkSameShape(call: string, a: Tensor, b: Tensor): void {
  if (!sameShape(a.shape, b.shape)) {
    throw new Error(
      `${call}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} must be equal`,
    );
  }
}

/** At least `rank` dimensions: ops over the last dimension need one. */
export function checkRank(call: string, name: string, input: Tensor, rank: number): void {
  if (input.shape.length < rank) {
    throw new Error(
      `${call}: ${name} needs at least ${rank} dimension(s), got ${formatShape(input.shape)}`,
    );
  }
}

/** Leading dimensions and the last one: rows of a row-wise op. */
export function rowsAndColumns(shape: Shape): { rows: number; columns: number } {
  const columns = shape.at(-1) ?? 1;
  return { rows: shape.reduce((product, dim) => product * dim, 1) / columns, columns };
}

/** True when `suffix` equals the trailing dimensions of `shape`. */
export function isSuffix(suffix: Shape, shape: Shape): boolean {
  return sameShape(suffix, shape.slice(shape.length - suffix.length));
}
