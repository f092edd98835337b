import { expertLayout, permute } from '../factor/expert-permutation.ts';
import type { ExpertPlan } from '../factor/expert-plan.ts';
import type { LayerFactorisation } from '../factor/factorise.ts';
import type { RowBlocks } from '../kernel/row-blocks.ts';
import { join } from 'node:path';
import { CONFIG_FILE, type Checkpoint } from '../model/checkpoint.ts';
import type { ModelConfig } from '../model/config.ts';
import type { ExpertWeights } from '../ops/fused/experts.ts';
import type { Engine } from '../runtime/engine.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { Linear } from './linear.ts';
import { WeightUploader, type HalfStorage } from './weight-uploader.ts';
import { loadStoredExperts, storedExpertTensors, type StoredExperts } from './stored-experts.ts';
import { readMoeConfig } from '../factor/moe-config.ts';

/** A dense SwiGLU, or a mixture of experts: cut on loading, or stored (stored-experts.ts). */
export type FeedForward = { kind: 'dense'; gateUp: Linear; down: Linear } | StoredExperts;

export interface LayerWeights {
  inputNorm: Tensor;
  /** q, k and v projections stacked: [(heads + 2 kvHeads) headSize, d]. */
  qkv: Linear;
  output: Linear;
  postNorm: Tensor;
  feedForward: FeedForward;
}

export interface LlamaWeights {
  embeddings: RowBlocks;
  layers: LayerWeights[];
  finalNorm: Tensor;
  /** The embeddings themselves when tie_word_embeddings. */
  lmHead: RowBlocks;
  /** Bound where a kernel has no bias, never read. */
  placeholder: Tensor;
}

async function loadAttention(
  load: WeightUploader,
  config: ModelConfig,
  prefix: string,
): Promise<Pick<LayerWeights, 'qkv' | 'output'>> {
  const d = config.hidden_size;
  const rows = [
    config.num_attention_heads * config.head_dim,
    config.num_key_value_heads * config.head_dim,
    config.num_key_value_heads * config.head_dim,
  ];
  const names = ['q', 'k', 'v'].map((part) => `${prefix}.self_attn.${part}_proj`);
  const hasBias = names.some((name) => load.has(`${name}.bias`));
  return {
    qkv: {
      ...(await load.stackedWeights(
        `${prefix} qkv`,
        names.map((name) => `${name}.weight`),
        d,
      )),
      bias: hasBias
        ? await load.stackedBiases(
            `${prefix} qkv bias`,
            names.map((name) => `${name}.bias`),
            rows,
          )
        : undefined,
    },
    output: {
      ...(await load.weight(`${prefix}.self_attn.o_proj.weight`)),
      bias: await load.optional(`${prefix}.self_attn.o_proj.bias`),
    },
  };
}

async function loadDenseFeedForward(
  load: WeightUploader,
  config: ModelConfig,
  prefix: string,
): Promise<FeedForward> {
  const f = config.intermediate_size;
  const parts = [`${prefix}.mlp.gate_proj`, `${prefix}.mlp.up_proj`];
  return {
    kind: 'dense',
    gateUp: {
      ...(await load.stackedWeights(
        `${prefix} gate-up`,
        parts.map((name) => `${name}.weight`),
        config.hidden_size,
        2,
      )),
      bias: config.mlp_bias
        ? await load.stackedBiases(
            `${prefix} gate-up bias`,
            parts.map((name) => `${name}.bias`),
            [f, f],
          )
        : undefined,
    },
    down: {
      ...(await load.weight(`${prefix}.mlp.down_proj.weight`)),
      bias: await load.optional(`${prefix}.mlp.down_proj.bias`),
    },
  };
}

async function loadExpertFeedForward(
  load: WeightUploader,
  config: ModelConfig,
  prefix: string,
  factorise: (gate: Float32Array) => LayerFactorisation,
  topK: number,
): Promise<FeedForward> {
  const d = config.hidden_size;
  const f = config.intermediate_size;
  const gateValues = await load.read(`${prefix}.mlp.gate_proj.weight`);
  const factorisation = factorise(gateValues);
  if (factorisation.shared?.length || factorisation.routerHidden)
    throw new Error(
      `${prefix}: a shared expert or an mlp router is loaded from a saved mixture of experts (lab factorize), not given on loading`,
    );
  const { order, offsets, block } = expertLayout(prefix, factorisation, f, d, topK);
  const { experts, routerWeight, routerBias } = factorisation;
  const upload = (label: string, values: Float32Array, shape: number[]) => {
    const target = load.allocate(`${prefix} ${label}`, shape);
    load.write(target, values);
    return target;
  };
  /** A gate or up bias, its neurons in expert order; f32 like every vector. */
  const permutedBias = async (name: string) =>
    upload(name, permute(await load.read(name), order, 1, false), [f]);
  // The CPU expert kernels read whole vec4s: then, like other projections, lane-blocked.
  const vectors = d % 4 === 0 && f % 4 === 0 && offsets.every((offset) => offset % 4 === 0);
  const laneBlocked = load.blocksLanes(d) && vectors;
  /** An expert matrix, f16 or f32 as the checkpoint allows (see WeightUploader.matrix). */
  const permutedWeight = async (
    name: string,
    shape: [number, number],
    byColumn: boolean,
    values?: Float32Array,
  ) => {
    const parts = [
      {
        source: name,
        values: permute(values ?? (await load.read(name)), order, byColumn ? f : d, byColumn),
      },
    ];
    const label = `${prefix} ${name}`;
    return laneBlocked
      ? load.laneBlockedMatrix(label, shape, parts)
      : load.matrix(label, shape, parts);
  };
  const gate = await permutedWeight(`${prefix}.mlp.gate_proj.weight`, [f, d], false, gateValues);
  const hasBias = config.mlp_bias;
  const zeros = (length: number) => upload('zero bias', new Float32Array(length), [length]);
  const weights: ExpertWeights = {
    gate,
    up: await permutedWeight(`${prefix}.mlp.up_proj.weight`, [f, d], false),
    down: await permutedWeight(`${prefix}.mlp.down_proj.weight`, [d, f], true),
    gateBias: hasBias ? await permutedBias(`${prefix}.mlp.gate_proj.bias`) : zeros(1),
    upBias: hasBias ? await permutedBias(`${prefix}.mlp.up_proj.bias`) : zeros(1),
    downBias: hasBias ? await load.tensor(`${prefix}.mlp.down_proj.bias`) : zeros(1),
    hasBias,
    offsets: (() => {
      const target = load.allocate(`${prefix} expert offsets`, [offsets.length], 'i32');
      load.write(target, offsets);
      return target;
    })(),
    block,
    vectors,
    laneBlocked,
    experts: experts.length,
    topK,
  };
  return {
    kind: 'experts',
    router: {
      weight: upload('router', routerWeight, [experts.length, d]),
      bias: upload('router bias', routerBias, [experts.length]),
    },
    experts: weights,
    gating: 'factorllm',
  };
}

/**
 * The model assembled from `checkpoint`: every weight on the GPU in the layout the forward pass
 * reads, each FFN dense or cut into experts as `expertPlan` says.
 */
export async function loadLlamaWeights(
  engine: Engine,
  checkpoint: Checkpoint,
  expertPlan: ExpertPlan | undefined,
  half: HalfStorage,
  laneBlocking: boolean,
  maxBindingBytes = engine.device.limits.maxStorageBufferBindingSize,
): Promise<LlamaWeights> {
  const { config } = checkpoint;
  const storedMoe = readMoeConfig(config, join(checkpoint.directory, CONFIG_FILE));
  if (storedMoe && expertPlan)
    throw new Error(
      `${checkpoint.directory} is already a mixture of ${storedMoe.num_experts} experts (top ${storedMoe.top_k}); load it without experts and top-k`,
    );
  const load = new WeightUploader(engine, checkpoint, half, laneBlocking);
  // The embedding lookup reads rows: never lane-blocked, so a tied LM head is not either.
  const embeddings = await load.rowBlocks('model.embed_tokens.weight', maxBindingBytes, false);
  const layers: LayerWeights[] = [];
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    const prefix = `model.layers.${layer}`;
    layers.push({
      inputNorm: await load.tensor(`${prefix}.input_layernorm.weight`),
      ...(await loadAttention(load, config, prefix)),
      postNorm: await load.tensor(`${prefix}.post_attention_layernorm.weight`),
      feedForward: storedMoe
        ? await loadStoredExperts(load, config, storedMoe, layer)
        : expertPlan
          ? await loadExpertFeedForward(
              load,
              config,
              prefix,
              (gate) => expertPlan.factorise(layer, gate),
              expertPlan.topK,
            )
          : await loadDenseFeedForward(load, config, prefix),
    });
    await load.settle();
  }
  const placeholder = load.allocate('placeholder', [1]);
  load.write(placeholder, new Float32Array(1));
  return {
    embeddings,
    layers,
    finalNorm: await load.tensor('model.norm.weight'),
    lmHead: config.tie_word_embeddings
      ? embeddings
      : await load.rowBlocks('lm_head.weight', maxBindingBytes, true),
    placeholder,
  };
}

/** Every tensor of `weights`, once (the tied head is the embeddings). */
export function weightTensors(weights: LlamaWeights): Tensor[] {
  const linear = ({ weight, bias }: Linear) => (bias ? [weight, bias] : [weight]);
  const layerTensors = weights.layers.flatMap((layer) => [
    layer.inputNorm,
    layer.postNorm,
    ...linear(layer.qkv),
    ...linear(layer.output),
    ...(layer.feedForward.kind === 'dense'
      ? [...linear(layer.feedForward.gateUp), ...linear(layer.feedForward.down)]
      : storedExpertTensors(layer.feedForward)),
  ]);
  return [
    ...new Set([
      ...weights.embeddings.blocks,
      ...layerTensors,
      weights.finalNorm,
      ...weights.lmHead.blocks,
      weights.placeholder,
    ]),
  ];
}
