import { join } from 'node:path';
import { readMoeConfig } from '../factor/moe-config.ts';
import { Checkpoint, CONFIG_FILE } from '../model/checkpoint.ts';
import { assertCheckpointFits } from '../model/checkpoint-fit.ts';
import type { ModelConfig } from '../model/config.ts';
import { ropeInverseFrequencies } from '../inference/rope-frequencies.ts';
import {
  add,
  batchMatmul,
  crossEntropy,
  embedding,
  mergeHeads,
  rmsNorm,
  splitHeads,
  swiglu,
} from '../ops/index.ts';
import { matmulAttention } from '../ops/fused/matmul-attention.ts';
import { rmsNormRows } from '../ops/fused/rms-norm-rows.ts';
import { splitHeadsRope } from '../ops/fused/split-heads-rope.ts';
import { isGradEnabled } from '../ops/grad-mode.ts';
import type { Gpu } from '../runtime/device.ts';
import { tensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { Activations } from './activations.ts';
import { moeFeedForward, moeParameterNames, type ChoiceOverride, type MoeSettings } from './moe.ts';
import {
  initialParameterValues,
  Parameters,
  readParameterValues,
  type ParameterValues,
} from './parameters.ts';

/** Token ids of `batch` sequences of `positions` tokens each, row after row: i32 [batch * positions]. */
export interface SequenceBatch {
  ids: Tensor;
  batch: number;
  positions: number;
}

/** A forward pass: its output and the intermediates to free once backward has run. */
export interface ForwardPass {
  output: Tensor;
  activations: Activations;
  /** Each mixture-of-experts layer's router logits [tokens, N], in layer order. */
  routerLogits: Tensor[];
  /** With `captureFeedForward` (no-grad passes): each layer's FFN input and output; the caller frees them. */
  feedForward: FeedForwardCapture[];
}

/** One layer's FFN input (the post-attention norm's output) and output, both [tokens, d]. */
export interface FeedForwardCapture {
  input: Tensor;
  output: Tensor;
}

export interface ForwardOptions {
  /** Keep every layer's FFN input and output (for FactorLLM's prior and its evaluation). */
  captureFeedForward?: boolean;
  /** Per layer, scores that choose the experts instead of the router (evaluation baselines). */
  route?: (layer: number) => ChoiceOverride | undefined;
}

/**
 * A Llama-family model (Llama, Mistral, Qwen2 configs) built from the engine's differentiable
 * ops, for training: the same maths as the inference path over the same Hugging Face weights,
 * every parameter f32 and trainable unless frozen.
 */
export class TrainableLlama {
  private constructor(
    readonly config: ModelConfig,
    readonly parameters: Parameters,
    private readonly inverseFrequencies: Tensor,
    /** Set when FFNs are mixtures of experts (see moe.ts for their parameters). */
    readonly moe: MoeSettings | undefined,
  ) {}

  /**
   * A model of `values` (Hugging Face names). With `moe`, every layer whose values hold a router
   * (expertParameterValues) runs its FFN as a mixture of experts.
   */
  static fromValues(
    gpu: Gpu,
    config: ModelConfig,
    values: ParameterValues,
    moe?: MoeSettings,
  ): TrainableLlama {
    const inverseFrequencies = tensor(gpu, ropeInverseFrequencies(config), [config.head_dim / 2]);
    return new TrainableLlama(config, Parameters.upload(gpu, values), inverseFrequencies, moe);
  }

  /** A freshly initialised model (Hugging Face's initialisation, seeded). */
  static initialise(gpu: Gpu, config: ModelConfig, seed: number): TrainableLlama {
    return TrainableLlama.fromValues(gpu, config, initialParameterValues(config, seed));
  }

  /**
   * Reads the checkpoint folder `directory` (any dtype; widened to f32): a dense model, or one
   * whose config.json's `factorlab_moe` makes every FFN the stored mixture of experts.
   */
  static async open(gpu: Gpu, directory: string): Promise<TrainableLlama> {
    const checkpoint = await Checkpoint.open(directory);
    try {
      // Training holds every weight in f32, each tensor in one buffer.
      assertCheckpointFits(checkpoint, gpu.device.limits);
      const moe = readMoeConfig(checkpoint.config, join(directory, CONFIG_FILE));
      return TrainableLlama.fromValues(
        gpu,
        checkpoint.config,
        await readParameterValues(checkpoint),
        moe && { experts: moe.num_experts, topK: moe.top_k, gating: moe.gating },
      );
    } finally {
      await checkpoint.close();
    }
  }

  /** Logits [batch * positions, vocabulary] of every position of `sequences`. */
  logits(sequences: SequenceBatch, options: ForwardOptions = {}): ForwardPass {
    const activations = new Activations();
    const routerLogits: Tensor[] = [];
    const feedForward: FeedForwardCapture[] = [];
    if (options.captureFeedForward && isGradEnabled())
      throw new Error('captureFeedForward is for passes without gradients (wrap them in noGrad)');
    const capture = options.captureFeedForward ? feedForward : undefined;
    let hidden = activations.track(
      embedding(this.weight('model.embed_tokens.weight'), sequences.ids),
    );
    for (let layer = 0; layer < this.config.num_hidden_layers; layer++) {
      const next = this.decoderLayer(
        layer,
        hidden,
        sequences.positions,
        activations,
        routerLogits,
        capture,
        options.route?.(layer),
      );
      activations.release(hidden);
      hidden = next;
    }
    const normed = activations.track(this.norm('model.norm.weight', hidden));
    activations.release(hidden);
    const head = this.config.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
    const output = activations.track(batchMatmul(normed, this.weight(head), { transposeB: true }));
    activations.release(normed);
    return { output, activations, routerLogits, feedForward };
  }

  /** Mean cross-entropy of predicting `targets` (i32 [batch * positions]) from `sequences`. */
  loss(sequences: SequenceBatch, targets: Tensor, options: ForwardOptions = {}): ForwardPass {
    const pass = this.logits(sequences, options);
    const output = pass.activations.track(crossEntropy(pass.output, targets));
    pass.activations.release(pass.output);
    return { ...pass, output };
  }

  dispose(): void {
    this.parameters.dispose();
    this.inverseFrequencies.dispose();
  }

  private decoderLayer(
    layer: number,
    hidden: Tensor,
    positions: number,
    activations: Activations,
    routerLogits: Tensor[],
    capture: FeedForwardCapture[] | undefined,
    choose: ChoiceOverride | undefined,
  ): Tensor {
    const prefix = `model.layers.${layer}`;
    const { num_attention_heads: heads, num_key_value_heads: kvHeads } = this.config;
    const track = <T extends Tensor>(output: T) => activations.track(output);
    const linear = (input: Tensor, name: string) => {
      const product = track(
        batchMatmul(input, this.weight(`${prefix}.${name}.weight`), { transposeB: true }),
      );
      const bias = `${prefix}.${name}.bias`;
      if (!this.parameters.has(bias)) return product;
      const biased = track(add(product, this.weight(bias)));
      activations.release(product);
      return biased;
    };
    const rotated = (projection: Tensor, headCount: number) => {
      const turned = track(
        splitHeadsRope(projection, this.inverseFrequencies, headCount, positions),
      );
      activations.release(projection);
      return turned;
    };
    // A row per invocation: the rmsNorm op's barrier reductions are slow on lavapipe.
    const layerNorm = (name: string, input: Tensor) =>
      track(rmsNormRows(input, this.weight(`${prefix}.${name}.weight`), this.config.rms_norm_eps));

    const attentionInput = layerNorm('input_layernorm', hidden);
    const q = rotated(linear(attentionInput, 'self_attn.q_proj'), heads);
    const k = rotated(linear(attentionInput, 'self_attn.k_proj'), kvHeads);
    const vProjection = linear(attentionInput, 'self_attn.v_proj');
    activations.release(attentionInput);
    const v = track(splitHeads(vProjection, kvHeads, positions));
    activations.release(vProjection);
    // Products with the scale and causal softmax fused; the flash-style trainingAttention is
    // slower on lavapipe (BENCHMARKS.md, "A fused attention for training").
    const attended = track(matmulAttention(q, k, v));
    activations.release(q, k, v);
    const merged = track(mergeHeads(attended));
    activations.release(attended);
    const attentionOutput = linear(merged, 'self_attn.o_proj');
    activations.release(merged);
    const afterAttention = track(add(hidden, attentionOutput));
    activations.release(attentionOutput);

    const ffnInput = layerNorm('post_attention_layernorm', afterAttention);
    const ffnOutput = this.feedForward(layer, ffnInput, linear, activations, routerLogits, choose);
    if (capture)
      capture.push({
        input: activations.handOver(ffnInput),
        output: activations.handOver(ffnOutput),
      });
    else activations.release(ffnInput);
    const output = track(add(afterAttention, ffnOutput));
    activations.release(afterAttention);
    if (!capture) activations.release(ffnOutput);
    return output;
  }

  private feedForward(
    layer: number,
    input: Tensor,
    linear: (input: Tensor, name: string) => Tensor,
    activations: Activations,
    routerLogits: Tensor[],
    choose: ChoiceOverride | undefined,
  ): Tensor {
    const names = moeParameterNames(layer);
    if (this.moe && this.parameters.has(names.router)) {
      const optional = (name: string) =>
        this.parameters.has(name) ? this.weight(name) : undefined;
      const moe = moeFeedForward(
        input,
        {
          router: this.weight(names.router),
          routerBias: optional(names.routerBias),
          routerHidden: this.parameters.has(names.routerHidden)
            ? { weight: this.weight(names.routerHidden), bias: this.weight(names.routerHiddenBias) }
            : undefined,
          gate: this.weight(names.gate),
          up: this.weight(names.up),
          down: this.weight(names.down),
          shared: this.parameters.has(names.sharedGate)
            ? {
                gate: this.weight(names.sharedGate),
                up: this.weight(names.sharedUp),
                down: this.weight(names.sharedDown),
              }
            : undefined,
        },
        this.moe,
        activations,
        choose,
      );
      routerLogits.push(moe.routerLogits);
      return moe.output;
    }
    const gate = linear(input, 'mlp.gate_proj');
    const up = linear(input, 'mlp.up_proj');
    const gated = activations.track(swiglu(gate, up));
    activations.release(gate, up);
    const output = linear(gated, 'mlp.down_proj');
    activations.release(gated);
    return output;
  }

  private norm(name: string, input: Tensor): Tensor {
    return rmsNorm(input, this.weight(name), { eps: this.config.rms_norm_eps });
  }

  private weight(name: string): Tensor {
    return this.parameters.get(name);
  }
}
