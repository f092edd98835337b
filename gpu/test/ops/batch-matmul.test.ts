import { describe, expect, it } from 'vitest';
import { acquireGpu, batchMatmul, type Shape } from '../../src/index.ts';
import { batchMatmulGeometry } from '../../src/ops/batch-matmul.ts';
import { MATMUL_KERNELS, matmulStrides, type MatmulKernel } from '../../src/ops/matmul-plan.ts';
import { planWindowedMatmul, usesWindowedMatmul } from '../../src/ops/matmul-window.ts';
import { checkOp, type InputSpec } from './conformance.ts';
import type { Reference } from './helpers.ts';

interface Layout {
  batchA: number[];
  batchB: number[];
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
}

/** op(A) x op(B) per batch element in float64, a missing batch meaning a shared matrix. */
function referenceBatchMatmul(transposeA: boolean, transposeB: boolean): Reference {
  return ([a, b], [shapeA, shapeB]) => {
    const [m, k] = matrixOf(shapeA!, transposeA);
    const [, n] = matrixOf(shapeB!, transposeB);
    const batchA = shapeA!.slice(0, -2);
    const batchB = shapeB!.slice(0, -2);
    const batch = (batchA.length > 0 ? batchA : batchB).reduce((product, dim) => product * dim, 1);
    const c = new Float64Array(batch * m * n);
    for (let index = 0; index < batch; index++) {
      const aBase = batchA.length > 0 ? index * m * k : 0;
      const bBase = batchB.length > 0 ? index * k * n : 0;
      for (let row = 0; row < m; row++) {
        for (let column = 0; column < n; column++) {
          let total = 0;
          for (let inner = 0; inner < k; inner++) {
            const aValue = a![aBase + (transposeA ? inner * m + row : row * k + inner)]!;
            const bValue = b![bBase + (transposeB ? column * k + inner : inner * n + column)]!;
            total += aValue * bValue;
          }
          c[index * m * n + row * n + column] = total;
        }
      }
    }
    return c;
  };
}

/** [rows, columns] of op(X) from X's stored shape. */
function matrixOf(shape: Shape, transposed: boolean): [number, number] {
  const [rows, columns] = shape.slice(-2) as [number, number];
  return transposed ? [columns, rows] : [rows, columns];
}

function specs({ batchA, batchB, m, k, n, transposeA, transposeB }: Layout): InputSpec[] {
  return [
    { shape: [...batchA, ...(transposeA ? [k, m] : [m, k])] },
    { shape: [...batchB, ...(transposeB ? [n, k] : [k, n])] },
  ];
}

/**
 * Shapes the CPU adapters' windowed kernel takes (64 rows or more, or 32 with a transpose or K not
 * a multiple of 4; N a multiple of 4): two row tiles of A (250 rows), two column tiles of B (260
 * columns), K over one dispatch's six chunks (400, so C is accumulated across dispatches), K not a
 * multiple of 4, batched and shared B. The second and fourth compute C^T (C narrower than a
 * column tile, M a multiple of 4), the fourth with the shared operand on the other side.
 */
const WINDOWED_LAYOUTS: Omit<Layout, 'transposeA' | 'transposeB'>[] = [
  { batchA: [], batchB: [], m: 250, k: 33, n: 64 },
  { batchA: [2], batchB: [2], m: 64, k: 400, n: 12 },
  { batchA: [2], batchB: [], m: 32, k: 7, n: 260 },
  { batchA: [2], batchB: [], m: 128, k: 33, n: 36 },
];
const TRANSPOSED_C = [false, true, false, true];

/** Non-tile sizes (1, 7, 33, 250), vec4-eligible ones (8, 12, 64), shared and batched operands. */
const FORWARD_LAYOUTS: Omit<Layout, 'transposeA' | 'transposeB'>[] = [
  { batchA: [], batchB: [], m: 1, k: 1, n: 1 },
  { batchA: [], batchB: [], m: 33, k: 250, n: 17 },
  { batchA: [], batchB: [], m: 9, k: 8, n: 12 },
  { batchA: [3], batchB: [3], m: 7, k: 33, n: 5 },
  { batchA: [2, 2], batchB: [], m: 7, k: 64, n: 8 },
  { batchA: [], batchB: [3], m: 250, k: 7, n: 33 },
  ...WINDOWED_LAYOUTS,
];

const GRADIENT_LAYOUTS: Omit<Layout, 'transposeA' | 'transposeB'>[] = [
  { batchA: [], batchB: [], m: 7, k: 5, n: 3 },
  { batchA: [], batchB: [], m: 4, k: 8, n: 12 },
  { batchA: [3], batchB: [3], m: 2, k: 7, n: 5 },
  { batchA: [2], batchB: [], m: 3, k: 4, n: 8 },
  { batchA: [], batchB: [2], m: 3, k: 5, n: 2 },
];

const TRANSPOSES = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

/** The conformance checks, forward and backward, of every transpose with one kernel choice. */
function checkEveryTranspose(kernel: MatmulKernel | 'auto'): void {
  for (const [transposeA, transposeB] of TRANSPOSES) {
    const withTransposes = (layout: Omit<Layout, 'transposeA' | 'transposeB'>) =>
      specs({ ...layout, transposeA, transposeB });
    checkOp({
      name: `transposeA ${transposeA}, transposeB ${transposeB}`,
      op: ([a, b]) => batchMatmul(a!, b!, { transposeA, transposeB, kernel }),
      reference: referenceBatchMatmul(transposeA, transposeB),
      configs: FORWARD_LAYOUTS.map(withTransposes),
      gradientConfigs: GRADIENT_LAYOUTS.map(withTransposes),
      // K up to 400 f32 products of values in [-2, 2).
      forwardTolerance: 1e-5,
      backwardTolerance: 1e-5,
    });
  }
}

const onCpuAdapter = (await acquireGpu()).info.isCpu;

describe('batchMatmul', () => {
  it.runIf(onCpuAdapter)(
    'takes the windowed kernel for the windowed layouts on this CPU adapter',
    async () => {
      const gpu = await acquireGpu();
      for (const { batchA, batchB, m, k, n } of WINDOWED_LAYOUTS) {
        for (const [transposeA, transposeB] of TRANSPOSES) {
          const geometry = batchMatmulGeometry(
            { batchA, batchB, m, k, n },
            { transposeA, transposeB },
            { aType: 'f32', bType: 'f32' },
          );
          expect(usesWindowedMatmul(gpu, geometry)).toBe(true);
        }
      }
    },
  );

  it('computes C^T where C is narrower than a column tile and M fills one better', () => {
    const transposed = WINDOWED_LAYOUTS.map(({ batchA, batchB, m, k, n }) => {
      const geometry = batchMatmulGeometry(
        { batchA, batchB, m, k, n },
        { transposeA: false, transposeB: false },
        { aType: 'f32', bType: 'f32' },
      );
      return planWindowedMatmul(geometry, matmulStrides(geometry)).packs.a.buffer === 'b';
    });
    expect(transposed).toEqual(TRANSPOSED_C);
  });

  checkEveryTranspose('auto');

  // Every kernel on this adapter, whichever it would choose: the GPUs' workgroup-memory kernel
  // at both block sizes (blocks of 64 and 128 rows, slices of 16 and 8 K values: the layouts
  // cross all of those edges), and the register-tiled one where the windowed would serve.
  for (const kernel of MATMUL_KERNELS) {
    describe(`forced to the ${kernel} kernel`, () => checkEveryTranspose(kernel));
  }
});
