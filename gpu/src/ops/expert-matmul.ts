import { applyOp } from './apply.ts';
import { hasSubgroupsOf } from '../runtime/device.ts';
import { allocateTensor } from '../tensor/create.ts';
import { formatShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, describeCall } from '../kernel/checks.ts';
import type { ExpertGroups } from './group-by-expert.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import {
  expertTileGrid,
  expertTileKernel,
  ROWS_PER_LOAD,
  type ExpertTileVariant,
} from './expert-matmul-tiles.ts';
import {
  expertWeightGradGrid,
  expertWeightGradKernel,
  type ExpertWeightGradVariant,
} from './expert-weight-grad.ts';
import { grid, perElement } from '../kernel/wgsl.ts';

export interface ExpertMatmulOptions {
  /**
   * 'tokens': x is [tokens, d] and sorted row r reads token order[r] / k (the first layer of an
   * expert FFN); 'groups': x is already [tokens * k, d] in sorted order (the layers after it).
   */
  from: 'tokens' | 'groups';
  /**
   * Allow the subgroup kernel where the device supports it (default true); false forces the
   * kernel that adapters without subgroups get.
   */
  subgroups?: boolean;
}

interface Attrs {
  fromTokens: boolean;
  groups: ExpertGroups;
  subgroups: boolean;
}

/** dx[token, i] = sum of the input gradients of its k sorted rows (none for invalid experts). */
const tokenSumKernel: KernelDefinition = {
  name: 'expertMatmul backward token sum',
  params: { count: 'u32', inner: 'u32', topK: 'u32' },
  inputs: ['positions', 'sortedGrad'],
  outputs: ['dx'],
  main: perElement(`
  let token = index / params.inner;
  let i = index % params.inner;
  var total = 0.0;
  for (var j = 0u; j < params.topK; j++) {
    let r = positions[token * params.topK + j];
    if (r >= 0) { total += sortedGrad[u32(r) * params.inner + i]; }
  }
  dx[index] = total;`),
};

function kernelParams(weights: Tensor, { fromTokens, groups }: Attrs) {
  return {
    inner: weights.shape[1]!,
    outer: weights.shape[2]!,
    experts: groups.experts,
    topK: groups.topK,
    fromTokens: +fromTokens,
  };
}

const expertMatmulOp = defineOp<Attrs>({
  name: 'expertMatmul',
  forward([x, weights], attrs) {
    const { groups, fromTokens } = attrs;
    const call = describeCall(
      'expertMatmul',
      [x!, weights!],
      `${groups.experts} experts, top ${groups.topK}, from ${fromTokens ? 'tokens' : 'groups'}`,
    );
    checkDtype(call, 'x', x!, ['f32']);
    checkDtype(call, 'weights', weights!, ['f32', 'f16']);
    const rows = fromTokens ? groups.tokens : groups.tokens * groups.topK;
    const [experts, inner, outer] = weights!.shape;
    if (weights!.shape.length !== 3 || experts !== groups.experts) {
      throw new Error(`${call}: weights must be [${groups.experts}, inner, outer]`);
    }
    if (x!.shape.length !== 2 || x!.shape[0] !== rows || x!.shape[1] !== inner) {
      throw new Error(`${call}: x must be [${rows}, ${inner}], not ${formatShape(x!.shape)}`);
    }
    const sortedRows = groups.tokens * groups.topK;
    const y = allocateTensor(x!.engine, call, [sortedRows, outer!], 'f32');
    const variant: ExpertTileVariant = {
      layout: inner! % 4 === 0 && outer! % 4 === 0 ? 'vec4' : 'scalar',
      subgroups: subgroupsHere(x!, attrs.subgroups),
    };
    runKernel(x!.engine, expertTileKernel(variant), {
      operation: call,
      inputs: [x!, weights!, groups.order, groups.offsets],
      outputs: [y],
      params: { rows: sortedRows, ...kernelParams(weights!, attrs) },
      workgroups: expertTileGrid(sortedRows, outer!, experts!),
    });
    return { output: y };
  },
  backward({ inputs: [x, weights], gradOutput, attrs, needsGrad }) {
    const { groups } = attrs;
    const operation = describeCall('expertMatmul backward', [x!, weights!, gradOutput]);
    const params = kernelParams(weights!, attrs);
    let dx: Tensor | undefined;
    if (needsGrad[0]) dx = inputGradient(operation, x!, weights!, gradOutput, attrs);
    let dWeights: Tensor | undefined;
    if (needsGrad[1]) {
      dWeights = allocateTensor(x!.engine, operation, weights!.shape, 'f32');
      const [experts, inner, outer] = weights!.shape as [number, number, number];
      const variant: ExpertWeightGradVariant = {
        layout: outer % 4 === 0 ? 'vec4' : 'scalar',
        subgroups: subgroupsHere(x!, attrs.subgroups),
      };
      runKernel(x!.engine, expertWeightGradKernel(variant), {
        operation,
        inputs: [x!, groups.order, groups.offsets, gradOutput],
        outputs: [dWeights],
        params: { rows: groups.tokens * groups.topK, ...params },
        workgroups: expertWeightGradGrid(experts, inner, outer),
      });
    }
    return [dx, dWeights];
  },
});

/**
 * dx: each sorted row's dy times its expert's weights transposed (the tiled kernel), summed over
 * a token's k rows when x holds tokens.
 */
function inputGradient(
  operation: string,
  x: Tensor,
  weights: Tensor,
  dy: Tensor,
  { groups, fromTokens, subgroups }: Attrs,
): Tensor {
  const [experts, inner, outer] = weights.shape as [number, number, number];
  const rows = groups.tokens * groups.topK;
  const sortedGrad = allocateTensor(x.engine, operation, [rows, inner], 'f32');
  runKernel(
    x.engine,
    expertTileKernel({
      layout: 'scalar',
      subgroups: subgroupsHere(x, subgroups),
      transposeWeights: true,
    }),
    {
      operation,
      inputs: [dy, weights, groups.order, groups.offsets],
      outputs: [sortedGrad],
      params: { rows, inner: outer, outer: inner, experts, topK: groups.topK, fromTokens: 0 },
      workgroups: expertTileGrid(rows, inner, experts),
    },
  );
  if (!fromTokens) return sortedGrad;
  const dx = allocateTensor(x.engine, operation, x.shape, 'f32');
  runKernel(x.engine, tokenSumKernel, {
    operation,
    inputs: [groups.positions, sortedGrad],
    outputs: [dx],
    params: { count: dx.size, inner, topK: groups.topK },
    workgroups: grid(dx.size),
  });
  sortedGrad.dispose();
  return dx;
}

/** Whether the subgroup kernels may run: allowed, and subgroups as wide as one shared load. */
function subgroupsHere(x: Tensor, allowed: boolean): boolean {
  return allowed && hasSubgroupsOf(x.engine.gpu, ROWS_PER_LOAD);
}

/**
 * Each sorted row of `groups` times its own expert's matrix, weights [experts, inner, outer]:
 * only chosen (token, expert) pairs are computed. Returns [tokens * k, outer] in sorted order.
 * `groups` must outlive backward.
 */
export function expertMatmul(
  x: Tensor,
  weights: Tensor,
  groups: ExpertGroups,
  { from, subgroups = true }: ExpertMatmulOptions,
): Tensor {
  return applyOp(expertMatmulOp, [x, weights], {
    fromTokens: from === 'tokens',
    groups,
    subgroups,
  });
}
