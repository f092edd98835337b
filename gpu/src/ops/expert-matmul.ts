import { applyOp } from '../autograd/apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import { formatShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, describeCall } from './checks.ts';
import type { ExpertGroups } from './group-by-expert.ts';
import { runKernel, type KernelDefinition } from './kernel.ts';
import { defineOp } from './registry.ts';
import {
  expertTileGrid,
  expertTileKernel,
  ROWS_PER_LOAD,
  type ExpertTileVariant,
} from './expert-matmul-tiles.ts';
import { grid, perElement } from './wgsl.ts';

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

/** Uniforms and WGSL shared by the three kernels: which x row feeds sorted row r. */
const PARAMS = {
  count: 'u32',
  inner: 'u32',
  outer: 'u32',
  experts: 'u32',
  topK: 'u32',
  fromTokens: 'u32',
} as const;
const INPUT_ROW_WGSL = /* wgsl */ `
fn inputRow(r: u32) -> u32 {
  return select(r, u32(order[r]) / params.topK, params.fromTokens != 0u);
}`;

/** dx[row, i] = sum over the sorted rows it fed of dy[r] . weights[expert(r), i, :]. */
const inputGradKernel: KernelDefinition = {
  name: 'expertMatmul backward input',
  params: PARAMS,
  inputs: ['weights', 'rowExperts', 'positions', 'offsets', 'dy'],
  outputs: ['dx'],
  main: perElement(`
  let row = index / params.inner;
  let i = index % params.inner;
  let fed = select(1u, params.topK, params.fromTokens != 0u);
  var total = 0.0;
  for (var j = 0u; j < fed; j++) {
    var r = i32(row);
    if (params.fromTokens != 0u) { r = positions[row * params.topK + j]; }
    if (r < 0 || r >= offsets[params.experts]) { continue; }
    let wBase = (u32(rowExperts[r]) * params.inner + i) * params.outer;
    for (var c = 0u; c < params.outer; c++) {
      total += dy[u32(r) * params.outer + c] * f32(weights[wBase + c]);
    }
  }
  dx[index] = total;`),
};

/** dWeights[e, i, c] = sum over expert e's rows r of x[inputRow(r), i] * dy[r, c]. */
const weightGradKernel: KernelDefinition = {
  name: 'expertMatmul backward weights',
  params: PARAMS,
  inputs: ['x', 'order', 'offsets', 'dy'],
  outputs: ['dWeights'],
  main: perElement(
    `
  let e = index / (params.inner * params.outer);
  let i = index / params.outer % params.inner;
  let c = index % params.outer;
  var total = 0.0;
  for (var r = u32(offsets[e]); r < u32(offsets[e + 1u]); r++) {
    total += x[inputRow(r) * params.inner + i] * dy[r * params.outer + c];
  }
  dWeights[index] = total;`,
    INPUT_ROW_WGSL,
  ),
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
    const { device, adapter } = x!.engine.gpu;
    const variant: ExpertTileVariant = {
      layout: inner! % 4 === 0 && outer! % 4 === 0 ? 'vec4' : 'scalar',
      subgroups:
        attrs.subgroups &&
        device.features.has('subgroups') &&
        (adapter.info.subgroupMinSize ?? 0) >= ROWS_PER_LOAD,
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
    if (needsGrad[0]) {
      dx = allocateTensor(x!.engine, operation, x!.shape, 'f32');
      runKernel(x!.engine, inputGradKernel, {
        operation,
        inputs: [weights!, groups.rowExperts, groups.positions, groups.offsets, gradOutput],
        outputs: [dx],
        params: { count: dx.size, ...params },
        workgroups: grid(dx.size),
      });
    }
    let dWeights: Tensor | undefined;
    if (needsGrad[1]) {
      dWeights = allocateTensor(x!.engine, operation, weights!.shape, 'f32');
      runKernel(x!.engine, weightGradKernel, {
        operation,
        inputs: [x!, groups.order, groups.offsets, gradOutput],
        outputs: [dWeights],
        params: { count: dWeights.size, ...params },
        workgroups: grid(dWeights.size),
      });
    }
    return [dx, dWeights];
  },
});

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
