import { allocateTensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, checkRank, describeCall } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { grid, perElement } from '../kernel/wgsl.ts';
import type { ExpertGroups } from './group-by-expert.ts';

/**
 * Invocation t * N + e: the mean over the row of (expert e's output for token t - share * the
 * target's row t)^2. Expert outputs sit in grouped order; `positions` maps the assignment
 * (token t, choice e) to its row.
 */
const expertErrorsKernel: KernelDefinition = {
  name: 'expertErrors',
  params: { count: 'u32', columns: 'u32', share: 'f32', experts: 'u32' },
  inputs: ['expertOutputs', 'dense', 'positions'],
  outputs: ['errors'],
  main: perElement(`
  let token = index / params.experts;
  let row = u32(positions[index]);
  var total = 0.0;
  for (var c = 0u; c < params.columns; c++) {
    let difference = expertOutputs[row * params.columns + c] - params.share * dense[token * params.columns + c];
    total += difference * difference;
  }
  errors[index] = total / f32(params.columns);`),
};

/**
 * FactorLLM's per-expert error against a share of the dense output: for every token t and expert
 * e, mean((E_e(h_t) - share * F(h_t))^2), as f32 [tokens, N]. `expertOutputs` [tokens * N, d] are
 * every expert's outputs for every token in `groups`' order, where every token chose all N
 * experts in expert order (choices 0..N-1). Not differentiable: the prior is a label.
 */
export function expertErrors(
  expertOutputs: Tensor,
  target: Tensor,
  groups: ExpertGroups,
  share: number,
): Tensor {
  const call = describeCall('expertErrors', [expertOutputs, target], `share ${share}`);
  checkDtype(call, 'expertOutputs', expertOutputs, ['f32']);
  checkDtype(call, 'target', target, ['f32']);
  checkRank(call, 'target', target, 2);
  const [tokens, columns] = target.shape as [number, number];
  const { experts } = groups;
  if (groups.topK !== experts || groups.tokens !== tokens)
    throw new Error(
      `${call}: every one of the ${tokens} tokens must choose all ${experts} experts`,
    );
  if (expertOutputs.shape[0] !== tokens * experts || expertOutputs.shape[1] !== columns)
    throw new Error(`${call}: expertOutputs must be [${tokens * experts}, ${columns}]`);
  const errors = allocateTensor(target.engine, call, [tokens, experts], 'f32');
  runKernel(target.engine, expertErrorsKernel, {
    operation: call,
    inputs: [expertOutputs, target, groups.positions],
    outputs: [errors],
    params: { count: tokens * experts, columns, share, experts },
    workgroups: grid(tokens * experts),
  });
  return errors;
}
