export interface Discrepancy {
  maxAbsError: number;
  /** The largest absolute error over the largest |reference| value. */
  maxRelError: number;
}

export function compareToReference(
  actual: ArrayLike<number>,
  reference: ArrayLike<number>,
): Discrepancy {
  if (actual.length !== reference.length) {
    throw new Error(`compared ${actual.length} values with a reference of ${reference.length}`);
  }
  let maxAbsError = 0;
  let maxAbsReference = 0;
  for (let index = 0; index < reference.length; index++) {
    const expected = reference[index]!;
    maxAbsError = Math.max(maxAbsError, Math.abs(actual[index]! - expected));
    maxAbsReference = Math.max(maxAbsReference, Math.abs(expected));
  }
  return {
    maxAbsError,
    maxRelError: maxAbsReference === 0 ? maxAbsError : maxAbsError / maxAbsReference,
  };
}
