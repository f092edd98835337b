import { formatShape, sizeOf } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { isSuffix } from '../kernel/checks.ts';
import { reduceSum } from './sum.ts';

/**
 * Binary ops broadcast their second operand over leading dimensions: its shape must be a suffix
 * of the first's (a bias [n] against activations [t, n]).
 */
export function checkBroadcast(call: string, a: Tensor, b: Tensor): void {
  if (!isSuffix(b.shape, a.shape)) {
    throw new Error(
      `${call}: shape ${formatShape(b.shape)} must equal ${formatShape(a.shape)} or its ` +
        'trailing dimensions',
    );
  }
}

/**
 * A gradient of `a`'s shape summed down to `b`'s, undoing the broadcast, in a new tensor; `grad`
 * itself when nothing was broadcast.
 */
export function unbroadcast(grad: Tensor, b: Tensor, operation: string): Tensor {
  if (grad.size === b.size) return grad;
  return reduceSum(
    grad,
    { outer: 1, reduce: grad.size / b.size, inner: sizeOf(b.shape) },
    b.shape,
    1,
    operation,
  );
}
