import { expertWidths, moeTensorNames, type MoeConfig } from '../factor/moe-config.ts';
import type { ModelConfig } from '../model/config.ts';
import type { ExpertWeights } from '../ops/fused/experts.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { Linear } from './linear.ts';
import type { WeightUploader } from './weight-uploader.ts';

/** A stored mixture of experts as the forward pass reads it. */
export interface StoredExperts {
  kind: 'experts';
  /** Linear(d, N), or after `routerHidden` and tanh, Linear(E, N). */
  router: Linear;
  routerHidden?: Linear;
  experts: ExpertWeights;
  gating: MoeConfig['gating'];
  /** The always-on shared expert: gate and up stacked [2s, d], down [d, s]. */
  shared?: { gateUp: Linear; down: Linear };
}

/**
 * Layer `layer`'s stored mixture of experts (config.json's factorlab_moe; tensors named by
 * moeTensorNames) laid out for the expert kernels: expert e's neurons contiguous from
 * offsets[e], gate and up rows [sum of widths, d], down columns [d, sum of widths], each expert's
 * zero padding left out.
 */
export async function loadStoredExperts(
  load: WeightUploader,
  config: ModelConfig,
  moe: MoeConfig,
  layer: number,
): Promise<StoredExperts> {
  const names = moeTensorNames(layer);
  const prefix = `model.layers.${layer}`;
  const d = config.hidden_size;
  const widths = expertWidths(config, moe);
  const padded = Math.max(...widths);
  const offsets = Int32Array.from([0, ...widths]);
  for (let index = 1; index < offsets.length; index++) offsets[index]! += offsets[index - 1]!;
  const routed = offsets[offsets.length - 1]!;

  /** [N, d, w] -> rows [routed, d]: row offsets[e] + r is column r of expert e. */
  const neuronRows = (stored: Float32Array) => {
    const rows = new Float32Array(routed * d);
    widths.forEach((width, expert) => {
      for (let r = 0; r < width; r++)
        for (let i = 0; i < d; i++)
          rows[(offsets[expert]! + r) * d + i] = stored[(expert * d + i) * padded + r]!;
    });
    return rows;
  };
  /** [N, w, d] -> [d, routed]: column offsets[e] + r is row r of expert e. */
  const neuronColumns = (stored: Float32Array) => {
    const columns = new Float32Array(d * routed);
    widths.forEach((width, expert) => {
      for (let r = 0; r < width; r++)
        for (let i = 0; i < d; i++)
          columns[i * routed + offsets[expert]! + r] = stored[(expert * padded + r) * d + i]!;
    });
    return columns;
  };
  const upload = (label: string, values: Float32Array | Int32Array, shape: number[]) => {
    const target = load.allocate(
      `${prefix} ${label}`,
      shape,
      values instanceof Int32Array ? 'i32' : 'f32',
    );
    load.write(target, values);
    return target;
  };
  // The CPU expert kernels read whole vec4s: then, like other projections, lane-blocked.
  const vectors = d % 4 === 0 && offsets.every((offset) => offset % 4 === 0);
  const laneBlocked = load.blocksLanes(d) && vectors;
  const matrix = async (name: string, shape: [number, number], values: Float32Array) => {
    const parts = [{ source: name, values }];
    return laneBlocked
      ? load.laneBlockedMatrix(`${prefix} ${name}`, shape, parts)
      : load.matrix(`${prefix} ${name}`, shape, parts);
  };
  const zeros = () => upload('zero bias', new Float32Array(1), [1]);
  const experts: ExpertWeights = {
    gate: await matrix(names.gate, [routed, d], neuronRows(await load.read(names.gate))),
    up: await matrix(names.up, [routed, d], neuronRows(await load.read(names.up))),
    down: await matrix(names.down, [d, routed], neuronColumns(await load.read(names.down))),
    gateBias: zeros(),
    upBias: zeros(),
    downBias: zeros(),
    hasBias: false,
    offsets: upload('expert offsets', offsets, [offsets.length]),
    block: Math.max(...widths),
    vectors,
    laneBlocked,
    experts: moe.num_experts,
    topK: moe.top_k,
  };
  const linear = async (weight: string, bias: string): Promise<Linear> => ({
    ...(await load.weight(weight)),
    bias: await load.tensor(bias),
  });
  return {
    kind: 'experts',
    router: await linear(names.router, names.routerBias),
    ...(moe.router_hidden === null
      ? {}
      : { routerHidden: await linear(names.routerHidden, names.routerHiddenBias) }),
    experts,
    gating: moe.gating,
    ...(moe.shared_expert_size === 0
      ? {}
      : {
          shared: {
            gateUp: {
              ...(await load.stackedWeights(
                `${prefix} shared gate-up`,
                [names.sharedGate, names.sharedUp],
                d,
                2,
              )),
              bias: undefined,
            },
            down: { ...(await load.weight(names.sharedDown)), bias: undefined },
          },
        }),
  };
}

/** Every tensor of `experts`. */
export function storedExpertTensors(stored: StoredExperts): Tensor[] {
  const linear = ({ weight, bias }: Linear) => (bias ? [weight, bias] : [weight]);
  const { experts } = stored;
  return [
    ...linear(stored.router),
    ...(stored.routerHidden ? linear(stored.routerHidden) : []),
    experts.gate,
    experts.up,
    experts.down,
    experts.gateBias,
    experts.upBias,
    experts.downBias,
    experts.offsets,
    ...(stored.shared ? [...linear(stored.shared.gateUp), ...linear(stored.shared.down)] : []),
  ];
}
