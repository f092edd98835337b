import { ModelFileError } from './model-file-error.ts';

/** Position of the first NaN or infinity in `values`, or -1. */
export function firstNonFinite(values: Float32Array): number {
  // value * 0 is 0 for every finite value and NaN otherwise: four independent sums run at close to
  // memory speed (a compare per element is 2 to 3 times slower), and only a bad tensor is searched.
  let sum0 = 0;
  let sum1 = 0;
  let sum2 = 0;
  let sum3 = 0;
  const whole = values.length - (values.length % 4);
  for (let index = 0; index < whole; index += 4) {
    sum0 += values[index]! * 0;
    sum1 += values[index + 1]! * 0;
    sum2 += values[index + 2]! * 0;
    sum3 += values[index + 3]! * 0;
  }
  for (let index = whole; index < values.length; index++) sum0 += values[index]! * 0;
  if (sum0 + sum1 + sum2 + sum3 === 0) return -1;
  return values.findIndex((value) => !Number.isFinite(value));
}

const HALF_EXPONENT = 0x7c00;

/** Position of the first NaN or infinity among IEEE half-precision `bits`, or -1. */
export function firstNonFiniteHalf(bits: Uint16Array): number {
  for (let index = 0; index < bits.length; index++)
    if ((bits[index]! & HALF_EXPONENT) === HALF_EXPONENT) return index;
  return -1;
}

/**
 * The refusal of tensor `name` of `file`, whose element `index` of `elements` is `value`: a NaN or
 * infinity in a weight turns every logit it reaches into NaN without a word.
 */
export function nonFiniteError(
  file: string,
  name: string,
  index: number,
  value: number,
  elements: number,
): ModelFileError {
  return new ModelFileError(
    file,
    `tensor "${name}" holds ${value} at element ${index} of ${elements}: weights must be finite ` +
      '(the checkpoint is corrupt or its training diverged; use an earlier or re-exported checkpoint)',
  );
}

/** What keeping tensor `name`'s first non-finite `value` (keepNonFinite) is reported as. */
export function nonFiniteKept(
  file: string,
  name: string,
  index: number,
  value: number,
  elements: number,
): string {
  return (
    `${file}: tensor "${name}" holds ${value} at element ${index} of ${elements}, kept as asked ` +
    '(--keep-non-finite): every logit it reaches will be NaN or infinite'
  );
}
