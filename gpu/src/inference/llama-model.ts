import { Checkpoint } from '../model/checkpoint.ts';
import { assertCheckpointFits, ROW_BLOCKED_TENSORS } from '../model/checkpoint-fit.ts';
import type { ModelConfig } from '../model/config.ts';
import type { Gpu } from '../runtime/device.ts';
import { engineFor, type Engine } from '../runtime/engine.ts';
import { allocateTensor, tensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { BYTES_PER_ELEMENT } from '../tensor/dtype.ts';
import { planExperts, type ExpertOptions } from '../factor/expert-plan.ts';
import { cachedAttention, MAX_HEAD_SIZE } from '../ops/fused/cached-attention.ts';
import { expertFfn } from '../ops/fused/experts.ts';
import { defaultKernelTarget, type KernelTarget } from '../kernel/kernel-target.ts';
import { routeTopK } from '../ops/fused/experts.ts';
import { groupedExpertFfn, groupsTokensByExpert } from '../ops/fused/grouped-experts.ts';
import { attendsByMatmul, prefillAttention } from '../ops/fused/prefill-attention.ts';
import { ropeAndStore, type HeadLayout } from '../ops/fused/positional.ts';
import { embedTokens, gatherRows, rmsNormRows } from '../ops/fused/rows.ts';
import { KvCache } from './kv-cache.ts';
import type { InputNorm } from '../ops/fused/row-streams.ts';
import { Projector } from './linear.ts';
import { halfStorage, type WeightPrecision } from './weight-precision.ts';
import { routerForward, softmaxGates } from './expert-routing.ts';
import { readMoeConfig } from '../factor/moe-config.ts';
import {
  loadLlamaWeights,
  weightTensors,
  type LayerWeights,
  type LlamaWeights,
} from './llama-weights.ts';
import { ropeInverseFrequencies } from './rope-frequencies.ts';
import { TOKEN_FIELDS, type TokenBatch, type TokenRun } from '../ops/fused/token-batch.ts';

export interface LoadOptions extends ExpertOptions {
  /**
   * `auto` (default) keeps the matrices of F16 and BF16 checkpoints in f16 where the device has
   * shader-f16 (half the memory and bytes read; products still sum in f32); `f32` widens all;
   * `f16` also rounds F32 matrices to f16 (refused without shader-f16): an opt-in that halves
   * the bytes a decode step reads and moves the logits (inference-bench reports by how much).
   */
  weights?: WeightPrecision;
  /** Keep NaN and infinite weights, told through this callback, instead of refusing them. */
  keepNonFinite?: (warning: string) => void;
  /** Kernel family; by default the one that suits the adapter (tests force each). */
  kernelTarget?: KernelTarget;
  /**
   * Largest matrix kept in one buffer; larger ones (a big vocabulary's embeddings and LM head)
   * are split into blocks of rows. Default: the device's maxStorageBufferBindingSize; tests
   * lower it to exercise the split on small models.
   */
  maxBindingBytes?: number;
}

/** Which rows' logits a forward pass returns: every token's, or each sequence's last. */
export type LogitRows = 'all' | 'last';

/**
 * A Llama-family model on the GPU for inference: one forward pass serves prefill and decode of a
 * ragged batch against a KV cache. Everything it computes runs in WGSL kernels.
 */
export class LlamaModel {
  private readonly projector: Projector;
  private readonly layout: HeadLayout;

  private constructor(
    readonly engine: Engine,
    readonly config: ModelConfig,
    private readonly weights: LlamaWeights,
    private readonly inverseFrequencies: Tensor,
    readonly factorisation: { experts: number; topK: number } | undefined,
    private readonly target: KernelTarget,
  ) {
    this.projector = new Projector(engine, target, weights.placeholder);
    this.layout = {
      heads: config.num_attention_heads,
      kvHeads: config.num_key_value_heads,
      headSize: config.head_dim,
    };
  }

  /** Opens and uploads the checkpoint folder `directory`. */
  static async open(gpu: Gpu, directory: string, options: LoadOptions = {}): Promise<LlamaModel> {
    const checkpoint = await Checkpoint.open(directory, { keepNonFinite: options.keepNonFinite });
    try {
      return await LlamaModel.load(gpu, checkpoint, options);
    } finally {
      await checkpoint.close();
    }
  }

  static async load(
    gpu: Gpu,
    checkpoint: Checkpoint,
    options: LoadOptions = {},
  ): Promise<LlamaModel> {
    const { config } = checkpoint;
    if (config.head_dim > MAX_HEAD_SIZE || config.head_dim % 2 !== 0) {
      throw new Error(
        `${checkpoint.directory}: head_dim ${config.head_dim} is not supported (even, at most ${MAX_HEAD_SIZE})`,
      );
    }
    const engine = engineFor(gpu);
    const expertPlan = planExperts(config, options);
    const half = halfStorage(
      options.weights ?? 'auto',
      engine.device.features.has('shader-f16'),
      engine.gpu.info.description,
    );
    assertCheckpointFits(checkpoint, engine.device.limits, {
      rowBlocked: ROW_BLOCKED_TENSORS,
      halfPrecision: half !== 'none',
    });
    const target = options.kernelTarget ?? defaultKernelTarget(engine);
    const weights = await loadLlamaWeights(
      engine,
      checkpoint,
      expertPlan,
      half,
      target === 'cpu',
      options.maxBindingBytes,
    );
    const inverseFrequencies = tensor(gpu, ropeInverseFrequencies(config), [config.head_dim / 2]);
    return new LlamaModel(
      engine,
      config,
      weights,
      inverseFrequencies,
      expertPlan ? { experts: expertPlan.experts, topK: expertPlan.topK } : storedExperts(config),
      target,
    );
  }

  /** Bytes the weights take on the GPU. */
  get weightBytes(): number {
    return weightTensors(this.weights).reduce((total, weight) => total + weight.byteLength, 0);
  }

  /** Bytes of each element of the projection matrices as stored (f16 where kept half). */
  get matrixElementBytes(): number {
    const first = this.weights.layers[0];
    return first ? BYTES_PER_ELEMENT[first.output.weight.dtype] : BYTES_PER_ELEMENT.f32;
  }

  createCache(slots: number, capacity: number): KvCache {
    return new KvCache(this.engine, this.config, slots, capacity);
  }

  /**
   * Encodes the forward pass of `batch` (writing its keys and values into `cache`) and returns
   * logits [rows, vocab] for every token or for each sequence's last token. With `tokenIds` (i32,
   * one per token: a sampler's choice still on the GPU) the tokens' ids come from there and the
   * table's are ignored, so a decode step can be queued before the previous one is read.
   */
  forward(batch: TokenBatch, cache: KvCache, rows: LogitRows, tokenIds?: Tensor): Tensor {
    this.checkBatch(batch, cache, tokenIds);
    const { engine, config } = this;
    const tokens = allocateTensor(engine, 'token table', [batch.table.length], 'i32');
    engine.device.queue.writeBuffer(tokens.bufferFor('token table'), 0, batch.table);
    const count = batch.count;
    const x = allocateTensor(engine, 'residual stream', [count, config.hidden_size], 'f32');
    if (tokenIds) embedTokens(engine, this.weights.embeddings, tokenIds, x, 1);
    else embedTokens(engine, this.weights.embeddings, tokens, x);
    this.weights.layers.forEach((layer, index) => {
      this.attentionBlock(layer, tokens, batch.runs, x, cache.layers[index]!);
      this.feedForwardBlock(layer, x);
    });
    tokens.dispose();
    // In a decode step every token is its sequence's last: all rows are wanted, no gather.
    let final = x;
    if (rows === 'last' && batch.lastRows.length < count) {
      const picked = tensor(engine.gpu, Int32Array.from(batch.lastRows), [batch.lastRows.length]);
      final = allocateTensor(engine, 'last rows', [picked.size, config.hidden_size], 'f32');
      gatherRows(engine, x, picked, final);
      picked.dispose();
      x.dispose();
    }
    const logits = this.projector.projectBlocks(
      final,
      this.weights.lmHead,
      this.norm(this.weights.finalNorm),
    );
    final.dispose();
    return logits;
  }

  private norm(weight: Tensor): InputNorm {
    return { weight, eps: this.config.rms_norm_eps };
  }

  /** Ids inside the vocabulary, slots and positions inside the cache: else an error saying which. */
  private checkBatch(batch: TokenBatch, cache: KvCache, tokenIds: Tensor | undefined): void {
    if (batch.span > cache.capacity) {
      throw new Error(
        `forward: positions up to ${batch.span} exceed the KV cache capacity of ${cache.capacity}`,
      );
    }
    if (tokenIds && (tokenIds.size !== batch.count || tokenIds.dtype !== 'i32')) {
      throw new Error(
        `forward: token ids ${tokenIds.describe()} for a batch of ${batch.count} tokens; ` +
          `expected i32 [${batch.count}]`,
      );
    }
    const vocabulary = this.config.vocab_size;
    for (let row = 0; row < batch.count; row++) {
      const [id, slot] = batch.table.subarray(row * TOKEN_FIELDS, row * TOKEN_FIELDS + 2);
      if (!tokenIds && (id! < 0 || id! >= vocabulary))
        throw new Error(
          `token id ${id} is outside the vocabulary (vocab_size ${vocabulary}, ids 0 to ${vocabulary - 1})`,
        );
      if (slot! >= cache.slots)
        throw new Error(
          `forward: a sequence's slot is outside the KV cache's ${cache.slots} slots`,
        );
    }
  }

  private attentionBlock(
    layer: LayerWeights,
    tokens: Tensor,
    runs: readonly TokenRun[],
    x: Tensor,
    cache: KvCache['layers'][number],
  ): void {
    const { engine, layout } = this;
    const count = x.shape[0]!;
    const qkv = this.projector.project(x, layer.qkv, this.norm(layer.inputNorm));
    ropeAndStore(engine, tokens, this.inverseFrequencies, qkv, cache, layout);
    const attended = allocateTensor(
      engine,
      'attention',
      [count, layout.heads * layout.headSize],
      'f32',
    );
    if (attendsByMatmul(this.target, layout, runs)) {
      prefillAttention(engine, runs, qkv, cache, attended, layout);
    } else {
      cachedAttention(engine, this.target, tokens, qkv, cache, attended, layout);
    }
    qkv.dispose();
    this.projector.projectInto(attended, layer.output, x);
    attended.dispose();
  }

  private feedForwardBlock(layer: LayerWeights, x: Tensor): void {
    const { engine, config } = this;
    const count = x.shape[0]!;
    const feedForward = layer.feedForward;
    if (feedForward.kind === 'dense') {
      const activations = this.projector.projectSwiglu(
        x,
        feedForward.gateUp,
        this.norm(layer.postNorm),
      );
      this.projector.projectInto(activations, feedForward.down, x);
      activations.dispose();
      return;
    }
    // The router and the experts both read the normalised rows.
    const h = allocateTensor(engine, 'normalised', [count, config.hidden_size], 'f32');
    rmsNormRows(engine, this.target, x, layer.postNorm, h, count, config.rms_norm_eps);
    const { experts } = feedForward;
    const routerLogits = routerForward(this.projector, h, feedForward);
    const choices = allocateTensor(engine, 'expert choices', [count, experts.topK], 'i32');
    routeTopK(engine, routerLogits, choices, experts.topK);
    const gates =
      feedForward.gating === 'softmax' ? softmaxGates(routerLogits, choices) : undefined;
    routerLogits.dispose();
    if (groupsTokensByExpert(experts, count)) {
      groupedExpertFfn(engine, h, choices, x, count, experts, gates);
    } else {
      const activations = allocateTensor(
        engine,
        'expert activations',
        [count, experts.topK, experts.block],
        'f32',
      );
      expertFfn(engine, this.target, h, choices, activations, x, count, experts, gates);
      activations.dispose();
    }
    gates?.dispose();
    choices.dispose();
    if (feedForward.shared) {
      const activations = this.projector.projectSwiglu(h, feedForward.shared.gateUp);
      this.projector.projectInto(activations, feedForward.shared.down, x);
      activations.dispose();
    }
    h.dispose();
  }

  dispose(): void {
    for (const weight of weightTensors(this.weights)) weight.dispose();
    this.inverseFrequencies.dispose();
  }
}

/** N and k of a checkpoint that is a stored mixture of experts, else undefined. */
function storedExperts(config: ModelConfig): { experts: number; topK: number } | undefined {
  const moe = readMoeConfig(config);
  return moe && { experts: moe.num_experts, topK: moe.top_k };
}
