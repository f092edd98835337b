import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import { formatShape, sameShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, checkRank, describeCall, rowsAndColumns } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { ROW_LOG_SUM_EXP_WGSL } from './rowwise.ts';
import { reduceSum } from './sum.ts';
import { grid, perRow, QUIET_NAN_WGSL } from '../kernel/wgsl.ts';

/** Per token: logSumExp - logit[target], NaN for a target outside [0, vocabulary). */
const tokenLossKernel: KernelDefinition = {
  name: 'crossEntropy',
  params: { rows: 'u32', columns: 'u32' },
  inputs: ['x', 'targets'],
  outputs: ['losses', 'logSumExps'],
  main: perRow(
    `
  let visible = params.columns;
${ROW_LOG_SUM_EXP_WGSL}
  if (lane == 0u) {
    let targetId = targets[row];
    let valid = targetId >= 0 && u32(targetId) < params.columns;
    let picked = x[base + u32(clamp(targetId, 0, i32(params.columns) - 1))];
    losses[row] = select(quietNan(), logSumExp - picked, valid);
    logSumExps[row] = logSumExp;
  }`,
    QUIET_NAN_WGSL,
  ),
};

/**
 * dlogits = (softmax - onehot(target)) * dLoss / tokens, one workgroup per row: the row's target
 * and log-sum-exp are read once per workgroup, not once per element (on CPU adapters each load
 * costs the same whatever its width, and a per-element row index costs a division).
 */
const crossEntropyBackwardKernel: KernelDefinition = {
  name: 'crossEntropy backward',
  params: { rows: 'u32', columns: 'u32', scale: 'f32' },
  inputs: ['x', 'targets', 'logSumExps', 'dLoss'],
  outputs: ['dx'],
  main: perRow(`
  let base = row * params.columns;
  let targetId = targets[row];
  let logSumExp = logSumExps[row];
  let factor = dLoss[0] * params.scale;
  for (var c = lane; c < params.columns; c += LANES) {
    let hit = select(0.0, 1.0, targetId == i32(c));
    dx[base + c] = (exp(x[base + c] - logSumExp) - hit) * factor;
  }`),
};

function encodeTokenLosses(
  logits: Tensor,
  targets: Tensor,
  call: string,
): { losses: Tensor; logSumExps: Tensor } {
  checkDtype(call, 'logits', logits, ['f32']);
  checkDtype(call, 'targets', targets, ['i32']);
  checkRank(call, 'logits', logits, 1);
  if (!sameShape(targets.shape, logits.shape.slice(0, -1))) {
    throw new Error(
      `${call}: targets must be ${formatShape(logits.shape.slice(0, -1))} ` +
        '(the leading dimensions of logits)',
    );
  }
  const { rows, columns } = rowsAndColumns(logits.shape);
  const losses = allocateTensor(logits.engine, call, [rows], 'f32');
  const logSumExps = allocateTensor(logits.engine, call, [rows], 'f32');
  runKernel(logits.engine, tokenLossKernel, {
    operation: call,
    inputs: [logits, targets],
    outputs: [losses, logSumExps],
    params: { rows, columns },
    workgroups: grid(rows, 1),
  });
  return { losses, logSumExps };
}

const crossEntropyOp = defineOp({
  name: 'crossEntropy',
  forward([logits, targets]) {
    const call = describeCall('crossEntropy', [logits!, targets!]);
    const { losses, logSumExps } = encodeTokenLosses(logits!, targets!, call);
    const rows = losses.size;
    const loss = reduceSum(losses, { outer: 1, reduce: rows, inner: 1 }, [], 1 / rows, call);
    losses.dispose();
    return { output: loss, saved: [logSumExps] };
  },
  backward({ inputs: [logits, targets], saved: [logSumExps], gradOutput }) {
    const operation = describeCall('crossEntropy backward', [logits!, gradOutput]);
    const { rows, columns } = rowsAndColumns(logits!.shape);
    const dx = allocateTensor(logits!.engine, operation, logits!.shape, 'f32');
    runKernel(logits!.engine, crossEntropyBackwardKernel, {
      operation,
      inputs: [logits!, targets!, logSumExps!, gradOutput],
      outputs: [dx],
      params: { rows, columns, scale: 1 / rows },
      workgroups: grid(rows, 1),
    });
    return [dx, undefined];
  },
});

/**
 * Mean over tokens of -log softmax(logits)[target]: logits [..., vocabulary], targets i32 [...].
 * A target outside the vocabulary makes the loss NaN rather than a wrong number.
 */
export function crossEntropy(logits: Tensor, targets: Tensor): Tensor {
  return applyOp(crossEntropyOp, [logits, targets], undefined);
}

/**
 * Each token's -log softmax(logits)[target], flattened to [tokens], for held-out scoring that
 * weighs tokens itself; not differentiable.
 */
export function tokenCrossEntropy(logits: Tensor, targets: Tensor): Tensor {
  const call = describeCall('tokenCrossEntropy', [logits, targets]);
  const { losses, logSumExps } = encodeTokenLosses(logits, targets, call);
  logSumExps.dispose();
  return losses;
}
