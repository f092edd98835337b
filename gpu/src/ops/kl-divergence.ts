import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import {
  checkDtype,
  checkRank,
  checkSameShape,
  describeCall,
  rowsAndColumns,
} from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { reduceSum } from './sum.ts';
import { grid, perElement, perRow } from '../kernel/wgsl.ts';

export interface KlDivergenceOptions {
  /** Both distributions are softmax(logits / temperature) (default 1). */
  temperature?: number;
}

/** Log-sum-exp of one row of `source` / temperature, by the workgroup's lanes. */
const rowLogSumExp = (source: string) => /* wgsl */ `
fn logSumExpOf${source}(base: u32, lane: u32) -> f32 {
  var localMax = bitcast<f32>(0xff7fffffu); // the lowest finite f32
  for (var c = lane; c < params.columns; c += LANES) {
    localMax = max(localMax, ${source}[base + c] / params.temperature);
  }
  let rowMax = workgroupMax(localMax, lane);
  var localSum = 0.0;
  for (var c = lane; c < params.columns; c += LANES) {
    localSum += exp(${source}[base + c] / params.temperature - rowMax);
  }
  return rowMax + log(workgroupSum(localSum, lane));
}`;

/** Per row: KL(p || q) = sum p (log p - log q), with the log-sum-exps backward needs. */
const rowKlKernel: KernelDefinition = {
  name: 'klDivergence',
  params: { rows: 'u32', columns: 'u32', temperature: 'f32' },
  inputs: ['p', 'q'],
  outputs: ['rowKl', 'logSumExpP', 'logSumExpQ'],
  main: perRow(
    `
  let base = row * params.columns;
  let lseP = logSumExpOfp(base, lane);
  let lseQ = logSumExpOfq(base, lane);
  var local = 0.0;
  for (var c = lane; c < params.columns; c += LANES) {
    let logP = p[base + c] / params.temperature - lseP;
    local += exp(logP) * (logP - (q[base + c] / params.temperature - lseQ));
  }
  let kl = workgroupSum(local, lane);
  if (lane == 0u) {
    rowKl[row] = kl;
    logSumExpP[row] = lseP;
    logSumExpQ[row] = lseQ;
  }`,
    rowLogSumExp('p') + rowLogSumExp('q'),
  ),
};

/**
 * With l = log p - log q and factor = dLoss * temperature / rows (the T^2 scale over d/dlogits'
 * 1/T): dP = factor * p * (l - KL_row), dQ = factor * (q - p).
 */
const klBackwardKernel: KernelDefinition = {
  name: 'klDivergence backward',
  params: { count: 'u32', columns: 'u32', temperature: 'f32', scale: 'f32' },
  inputs: ['p', 'q', 'rowKl', 'logSumExpP', 'logSumExpQ', 'dLoss'],
  outputs: ['dP', 'dQ'],
  main: perElement(`
  let row = index / params.columns;
  let logP = p[index] / params.temperature - logSumExpP[row];
  let logQ = q[index] / params.temperature - logSumExpQ[row];
  let probabilityP = exp(logP);
  let factor = dLoss[0] * params.temperature * params.scale;
  dP[index] = factor * probabilityP * (logP - logQ - rowKl[row]);
  dQ[index] = factor * (exp(logQ) - probabilityP);`),
};

const klDivergenceOp = defineOp<number>({
  name: 'klDivergence',
  forward([p, q], temperature) {
    const call = describeCall('klDivergence', [p!, q!], `temperature ${temperature}`);
    checkDtype(call, 'p', p!, ['f32']);
    checkDtype(call, 'q', q!, ['f32']);
    checkRank(call, 'p', p!, 1);
    checkSameShape(call, p!, q!);
    if (!(temperature > 0)) throw new Error(`${call}: the temperature must be positive`);
    const { rows, columns } = rowsAndColumns(p!.shape);
    const [rowKl, logSumExpP, logSumExpQ] = [0, 1, 2].map(() =>
      allocateTensor(p!.engine, call, [rows], 'f32'),
    ) as [Tensor, Tensor, Tensor];
    runKernel(p!.engine, rowKlKernel, {
      operation: call,
      inputs: [p!, q!],
      outputs: [rowKl, logSumExpP, logSumExpQ],
      params: { rows, columns, temperature },
      workgroups: grid(rows, 1),
    });
    const loss = reduceSum(
      rowKl,
      { outer: 1, reduce: rows, inner: 1 },
      [],
      temperature ** 2 / rows,
      call,
    );
    return { output: loss, saved: [rowKl, logSumExpP, logSumExpQ] };
  },
  backward({ inputs: [p, q], saved, gradOutput, attrs: temperature }) {
    const operation = describeCall('klDivergence backward', [p!, q!, gradOutput]);
    const { rows, columns } = rowsAndColumns(p!.shape);
    const dP = allocateTensor(p!.engine, operation, p!.shape, 'f32');
    const dQ = allocateTensor(p!.engine, operation, p!.shape, 'f32');
    runKernel(p!.engine, klBackwardKernel, {
      operation,
      inputs: [p!, q!, ...saved, gradOutput],
      outputs: [dP, dQ],
      params: { count: p!.size, columns, temperature, scale: 1 / rows },
      workgroups: grid(p!.size),
    });
    return [dP, dQ];
  },
});

/**
 * temperature^2 * mean over rows of KL(softmax(p / T) || softmax(q / T)), both given as logits
 * [..., classes]; gradients flow to both. For distillation, p is the teacher; for FactorLLM's
 * prior loss, p is the router.
 */
export function klDivergence(
  p: Tensor,
  q: Tensor,
  { temperature = 1 }: KlDivergenceOptions = {},
): Tensor {
  return applyOp(klDivergenceOp, [p, q], temperature);
}
