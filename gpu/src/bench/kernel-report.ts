import type { BlasPeer } from './blas-peer.ts';
import type { FmaCeiling } from './fma-ceiling.ts';
import type {
  KernelBenchmarkResult,
  MatmulResult,
  Skipped,
  TimedMatmul,
} from './kernel-benchmark.ts';
import type { OpTiming, UntimedOp } from './op-benchmark.ts';
import type { TrainingStepTiming } from './training-step-benchmark.ts';
import { textTable } from './text-table.ts';

/** The kernel benchmark for people: adapter, FMA ceilings, matmuls against them, BLAS, ops. */
export function formatKernelReport(result: KernelBenchmarkResult): string {
  const { adapter } = result;
  const kind = adapter.isCpu ? 'CPU implementation' : 'GPU';
  return [
    `Adapter: ${adapter.description || adapter.device} (${adapter.backend}, ${kind})`,
    `Features: ${adapter.features.join(', ') || 'none'}`,
    '',
    fmaTable(result.fmaCeilings),
    '',
    matmulTable(result.matmul),
    '',
    blasLine(result.blas),
    vendorBlasReport(result),
    '',
    trainingStepLine(result.trainingStep),
    '',
    opsTable(result.ops),
  ].join('\n');
}

/** One row per dtype and kernel shape; the fastest shape of each dtype is its ceiling. */
function fmaTable(ceilings: (FmaCeiling | Skipped)[]): string {
  const rows = ceilings.flatMap((ceiling) =>
    'skipped' in ceiling
      ? [[ceiling.dtype, `skipped: ${ceiling.skipped}`]]
      : ceiling.shapes.map((shape) => [
          ceiling.dtype,
          `${shape.chains} x ${shape.depth}`,
          fixed(shape.gflops),
          String(ceiling.invocations),
          String(shape.fmasPerInvocation),
          shape.gflops === ceiling.gflops ? 'ceiling' : '',
        ]),
  );
  const header = ['FMA kernel', 'chains x depth', 'GFLOP/s', 'invocations', 'FMAs each', ''];
  return textTable(header, rows, 2);
}

function matmulTable(matmuls: MatmulResult[]): string {
  const rows = matmuls.map((row) =>
    'skipped' in row
      ? [String(row.n), row.dtype, row.compute, `skipped: ${row.skipped}`]
      : [
          String(row.n),
          row.dtype,
          row.compute,
          `${row.kernel}${row.chosen ? ' (chosen)' : ''}`,
          fixed(row.gflops),
          fixed(row.medianGflops),
          `${(row.ceilingFraction * 100).toFixed(0)}% of ${row.ceilingDtype}`,
          `${row.correct ? 'ok' : 'WRONG'} ${row.maxRelativeError.toExponential(1)}`,
        ],
  );
  const header = [
    'matmul n',
    'inputs',
    'compute',
    'kernel',
    'best GFLOP/s',
    'median GFLOP/s',
    'best / FMA ceiling',
    'checked (rel. error)',
  ];
  return textTable(header, rows, 3);
}

function blasLine(blas: BlasPeer): string {
  if (!blas.available) return `numpy sgemm: not measured (${blas.reason})`;
  const kernels = blas.coreName ? `, ${blas.coreName} kernels` : '';
  return `numpy sgemm n=${blas.n} (${blas.blas}${kernels}, numpy ${blas.numpy}): ${fixed(blas.gflops)} GFLOP/s`;
}

/** cuBLAS beside the engine's matmul of the same n and type, or why it was not measured. */
function vendorBlasReport({ vendorBlas, matmul }: KernelBenchmarkResult): string {
  if (!vendorBlas.available) return `cuBLAS through PyTorch: not measured (${vendorBlas.reason})`;
  const rows = vendorBlas.matmul.map(({ n, dtype, gflops }) => {
    const ours = matmul.filter(
      (row): row is TimedMatmul =>
        'gflops' in row && row.n === n && row.dtype === dtype && row.compute === dtype,
    );
    const chosen = ours.find((row) => row.chosen);
    const fastest = ours.filter((row) => row.correct).sort((x, y) => y.gflops - x.gflops)[0];
    const versus = (row: TimedMatmul | undefined) =>
      row ? [fixed(row.gflops), `${((row.gflops / gflops) * 100).toFixed(0)}%`] : ['-', '-'];
    return [
      String(n),
      dtype,
      fixed(gflops),
      ...versus(chosen),
      fastest?.kernel ?? '-',
      ...versus(fastest),
    ];
  });
  const title = `cuBLAS through PyTorch ${vendorBlas.torch} (CUDA ${vendorBlas.cuda ?? '?'}) on ${vendorBlas.device}:`;
  const header = [
    'matmul n',
    'type',
    'cuBLAS GFLOP/s',
    'engine GFLOP/s',
    'engine / cuBLAS',
    'fastest kernel',
    'GFLOP/s',
    'fastest / cuBLAS',
  ];
  return [title, textTable(header, rows, 2)].join('\n');
}

function trainingStepLine(step: TrainingStepTiming): string {
  const { tokens, width, hidden, vocabulary } = step.dims;
  return [
    `Training step (${tokens} tokens, width ${width}, FFN ${hidden}, vocabulary ${vocabulary}, ` +
      `${step.parameters} parameters; AdamW, clipping, loss read back): ${fixed(step.ms, 2)} ms ` +
      `(median ${fixed(step.medianMs, 2)}), ${step.dispatches} dispatches in ${step.submits} submits`,
    `  the same dispatches empty ${fixed(step.emptyDispatchesMs, 2)} ms, a readback ` +
      `${fixed(step.readbackMs, 2)} ms: overhead ${(step.overheadFraction * 100).toFixed(0)}% of the step`,
  ].join('\n');
}

function opsTable(ops: (OpTiming | UntimedOp)[]): string {
  const rows = ops.map((timing) => {
    if ('skipped' in timing) return [timing.op, `skipped: ${timing.skipped}`];
    if ('failed' in timing) return [timing.op, `failed: ${timing.failed}`];
    const withBackward =
      timing.backwardMs === undefined || timing.backwardMedianMs === undefined
        ? ['-', '-']
        : [fixed(timing.backwardMs, 3), fixed(timing.backwardMedianMs, 3)];
    return [
      timing.op,
      timing.inputs,
      fixed(timing.ms, 3),
      fixed(timing.medianMs, 3),
      ...withBackward,
    ];
  });
  const header = [
    'other op',
    'inputs',
    'forward best ms',
    'median ms',
    'with backward best ms',
    'median ms',
  ];
  return textTable(header, rows, 2);
}

function fixed(value: number, digits = 1): string {
  return value.toFixed(digits);
}
