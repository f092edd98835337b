/**
 * C = A x B in float64 on the CPU: the yardstick GPU results are checked against, never a
 * fallback for them.
 */
export function referenceMatmul(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let row = 0; row < m; row++) {
    const cRow = row * n;
    for (let inner = 0; inner < k; inner++) {
      const aValue = a[row * k + inner]!;
      const bRow = inner * n;
      for (let col = 0; col < n; col++) {
        c[cRow + col]! += aValue * b[bRow + col]!;
      }
    }
  }
  return c;
}
