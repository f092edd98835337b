import type { Checkpoint } from '../model/checkpoint.ts';
import type { ModelConfig } from '../model/config.ts';
import type { Engine } from '../runtime/engine.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { DType } from '../tensor/dtype.ts';
import { elementCount } from '../model/safetensors/header.ts';
import { encodeFloat16 } from '../util/float16.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { ExpertWeights } from '../ops/fused/experts.ts';
import { MAX_EXPERTS } from '../ops/fused/experts.ts';
import type { LayerFactorisation } from './factorise.ts';
import type { Linear } from './linear.ts';
import type { RowRange } from '../model/safetensors/reader.ts';
import type { RowBlocks } from '../kernel/row-blocks.ts';
import { LANE_BLOCK_ROWS, laneBlock, laneBlockedRows } from '../kernel/lane-blocked.ts';

export type FeedForward =
  | { kind: 'dense'; gateUp: Linear; down: Linear }
  | { kind: 'experts'; router: Linear; experts: ExpertWeights };

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

/** Uploads tensors one at a time, so a checkpoint is never held in host memory whole. */
class Uploader {
  constructor(
    private readonly engine: Engine,
    private readonly checkpoint: Checkpoint,
    /** Keep half-precision checkpoints' matrices in f16 (the device computes with f16). */
    private readonly keepHalf: boolean,
    /** Store projection matrices lane-blocked for the row-streaming (CPU) kernels. */
    private readonly laneBlocking: boolean,
  ) {}

  /** Whether a projection matrix of `columns` columns is stored lane-blocked. */
  blocksLanes(columns: number): boolean {
    return this.laneBlocking && columns % 4 === 0;
  }

  has(name: string): boolean {
    return this.checkpoint.has(name);
  }

  read(name: string, rows?: RowRange): Promise<Float32Array> {
    return this.checkpoint.readFloat32(name, rows);
  }

  /** Weights live as long as the model: exact-size buffers, not the pool's. */
  allocate(label: string, shape: number[], dtype: DType = 'f32'): Tensor {
    return allocateTensor(this.engine, `load ${label}`, shape, dtype, { pooled: false });
  }

  write(target: Tensor, values: Float32Array | Int32Array | Uint16Array, byteOffset = 0): void {
    this.engine.device.queue.writeBuffer(
      target.bufferFor(`load ${target.origin}`),
      byteOffset,
      values,
    );
  }

  /**
   * Waits until the GPU has taken every write so far: Dawn holds each written range in a staging
   * copy until then, which across a whole checkpoint would double its memory.
   */
  async settle(): Promise<void> {
    this.engine.device.queue.submit([]);
    await this.engine.device.queue.onSubmittedWorkDone();
  }

  /** A vector (norm weights, biases): f32. */
  async tensor(name: string): Promise<Tensor> {
    const shape = [...this.checkpoint.info(name).shape];
    const target = this.allocate(name, shape);
    this.write(target, await this.read(name));
    return target;
  }

  async optional(name: string): Promise<Tensor | undefined> {
    return this.has(name) ? this.tensor(name) : undefined;
  }

  /**
   * A weight matrix of `shape` from `parts` (stacked along rows), in f16 when the checkpoint
   * stores every part in F16 or BF16 and each part has an even length (4-byte aligned writes),
   * else in f32. F16 parts are uploaded as stored; BF16 ones are exact in f16 unless a value is
   * outside f16's range, which keeps the matrix in f32.
   */
  async matrix(label: string, shape: number[], parts: MatrixPart[]): Promise<Tensor> {
    const halves = this.keepHalf ? await this.halfParts(parts) : undefined;
    const target = this.allocate(label, shape, halves ? 'f16' : 'f32');
    let byteOffset = 0;
    for (const [index, part] of parts.entries()) {
      const values = halves?.[index] ?? (await this.values(part));
      this.write(target, values, byteOffset);
      byteOffset += values.byteLength;
    }
    return target;
  }

  /** Every part's f16 bits, or undefined when one of them cannot be stored in f16 exactly. */
  private async halfParts(parts: MatrixPart[]): Promise<Uint16Array[] | undefined> {
    const halves: Uint16Array[] = [];
    for (const part of parts) {
      const { dtype, shape } = this.checkpoint.info(part.source);
      const elements = part.rows
        ? (elementCount(shape) / shape[0]!) * part.rows.count
        : elementCount(shape);
      if (!HALF_DTYPES.has(dtype) || elements % 2 !== 0) return undefined;
      if (dtype === 'F16' && !part.values) {
        halves.push(await this.checkpoint.readFloat16Bits(part.source, part.rows));
        continue;
      }
      const values = await this.values(part);
      if (dtype === 'BF16' && !values.every((value) => Math.abs(value) <= FLOAT16_MAX))
        return undefined;
      halves.push(encodeFloat16(values));
    }
    return halves;
  }

  private async values(part: MatrixPart): Promise<Float32Array> {
    return part.values ?? (await this.read(part.source, part.rows));
  }

  /**
   * The weight matrix `name` in blocks of rows of at most `maxBindingBytes` each (sized for f16
   * where the checkpoint's dtype allows it): one block unless it is larger than one binding.
   */
  async rowBlocks(name: string, maxBindingBytes: number, projection: boolean): Promise<RowBlocks> {
    const { shape, dtype } = this.checkpoint.info(name);
    const [rows, columns] = shape as [number, number];
    const laneBlocked = projection && this.blocksLanes(columns);
    const elementBytes = this.keepHalf && HALF_DTYPES.has(dtype) ? 2 : 4;
    const fitting = Math.max(1, Math.floor(maxBindingBytes / (columns * elementBytes)));
    // Lane-blocked blocks pad their rows to LANE_BLOCK_ROWS, so they hold whole lane blocks.
    const blockRows = laneBlocked
      ? Math.max(LANE_BLOCK_ROWS, Math.floor(fitting / LANE_BLOCK_ROWS) * LANE_BLOCK_ROWS)
      : fitting;
    const blocks: Tensor[] = [];
    for (let first = 0; first < rows; first += blockRows) {
      const count = Math.min(blockRows, rows - first);
      const label = blockRows >= rows ? name : `${name} rows ${first}-${first + count - 1}`;
      const part = { source: name, rows: { first, count } };
      if (laneBlocked) {
        blocks.push(await this.streamedProjection(label, [count, columns], part));
      } else {
        blocks.push(await this.matrix(label, [count, columns], [part]));
        await this.settle();
      }
    }
    return { blocks, blockRows, rows, columns, laneBlocked };
  }

  /**
   * A projection's weight matrix of `shape` from `parts`, as `matrix` stores it, or lane-blocked
   * (see laneBlock; `groups` stacked matrices blocked each on its own) where the row-streaming
   * kernels will read it.
   */
  async projection(
    label: string,
    shape: [number, number],
    parts: MatrixPart[],
    groups = 1,
  ): Promise<Pick<Linear, 'weight' | 'laneBlockedRows'>> {
    const [rows, columns] = shape;
    if (!this.blocksLanes(columns)) return { weight: await this.matrix(label, shape, parts) };
    const weight =
      parts.length === 1 && groups === 1 && !parts[0]!.values
        ? await this.streamedProjection(label, shape, parts[0]!)
        : await this.laneBlockedMatrix(label, shape, parts, groups);
    return { weight, laneBlockedRows: rows };
  }

  /** The matrix of `shape` from `parts`, as `matrix` stores it but lane-blocked (see laneBlock). */
  async laneBlockedMatrix(
    label: string,
    [, columns]: [number, number],
    parts: MatrixPart[],
    groups = 1,
  ): Promise<Tensor> {
    const halves = this.keepHalf ? await this.halfParts(parts) : undefined;
    const values = halves ? concatenate(halves, Uint16Array) : await this.allValues(parts);
    const blocked = laneBlock(values, columns, groups);
    const weight = this.allocate(
      label,
      [blocked.length / columns, columns],
      halves ? 'f16' : 'f32',
    );
    this.write(weight, blocked);
    return weight;
  }

  /**
   * One tensor's matrix lane-blocked a chunk of rows at a time, so that a large LM head is never
   * held whole on the host: in f16 where `matrix` would keep it so (a BF16 value outside f16's
   * range starts it over in f32).
   */
  private async streamedProjection(
    label: string,
    [rows, columns]: [number, number],
    part: MatrixPart,
  ): Promise<Tensor> {
    if (this.keepHalf && HALF_DTYPES.has(this.checkpoint.info(part.source).dtype)) {
      const weight = this.allocate(label, [laneBlockedRows(rows), columns], 'f16');
      if (await this.writeLaneBlockedChunks(weight, rows, part, true)) return weight;
      weight.dispose();
    }
    const weight = this.allocate(label, [laneBlockedRows(rows), columns], 'f32');
    await this.writeLaneBlockedChunks(weight, rows, part, false);
    return weight;
  }

  /** Writes `rows` rows of `part` into `weight` lane-blocked; false when one is not f16-exact. */
  private async writeLaneBlockedChunks(
    weight: Tensor,
    rows: number,
    part: MatrixPart,
    half: boolean,
  ): Promise<boolean> {
    const columns = weight.shape[1]!;
    const chunkRows = Math.max(
      LANE_BLOCK_ROWS,
      Math.floor(CHUNK_ELEMENTS / columns / LANE_BLOCK_ROWS) * LANE_BLOCK_ROWS,
    );
    const offset = part.rows?.first ?? 0;
    for (let first = 0; first < rows; first += chunkRows) {
      const chunk = {
        source: part.source,
        rows: { first: offset + first, count: Math.min(chunkRows, rows - first) },
      };
      const values = half ? (await this.halfParts([chunk]))?.[0] : await this.values(chunk);
      if (!values) return false;
      this.write(weight, laneBlock(values, columns), first * columns * (half ? 2 : 4));
      await this.settle();
    }
    return true;
  }

  private async allValues(parts: MatrixPart[]): Promise<Float32Array> {
    const values: Float32Array[] = [];
    for (const part of parts) values.push(await this.values(part));
    return concatenate(values, Float32Array);
  }

  /** The projection weight `name` (see `projection`). */
  async weight(name: string): Promise<Pick<Linear, 'weight' | 'laneBlockedRows'>> {
    const shape = this.checkpoint.info(name).shape as [number, number];
    return this.projection(name, shape, [{ source: name }]);
  }

  /** Projection weights of `names` stacked along their first dimension (see `projection`). */
  async stackedWeights(
    label: string,
    names: string[],
    columns: number,
    groups = 1,
  ): Promise<Pick<Linear, 'weight' | 'laneBlockedRows'>> {
    const rows = names.reduce((total, name) => total + this.checkpoint.info(name).shape[0]!, 0);
    return this.projection(
      label,
      [rows, columns],
      names.map((source) => ({ source })),
      groups,
    );
  }

  /** Bias vectors of `names` stacked, in f32; missing ones (Qwen2 has no o bias) are zeros. */
  async stackedBiases(label: string, names: string[], lengths: number[]): Promise<Tensor> {
    const target = this.allocate(label, [lengths.reduce((sum, length) => sum + length, 0)]);
    let offset = 0;
    for (const [index, name] of names.entries()) {
      const values = this.has(name) ? await this.read(name) : new Float32Array(lengths[index]!);
      this.write(target, values, offset * 4);
      offset += values.length;
    }
    return target;
  }
}

/** A matrix's rows from tensor `source` (or `rows` of it), or `values` derived from it. */
interface MatrixPart {
  source: string;
  rows?: RowRange;
  values?: Float32Array;
}

const HALF_DTYPES = new Set(['F16', 'BF16']);
/** Values a lane-blocked projection is read in at a time (16 MB as f32). */
const CHUNK_ELEMENTS = 1 << 22;
const FLOAT16_MAX = 65_504;

async function loadAttention(
  load: Uploader,
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
  load: Uploader,
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

/** Rows (or, with `columns` > 1 and `byColumn`, columns) of a row-major matrix in `order`. */
function permute(
  values: Float32Array,
  order: readonly number[],
  columns: number,
  byColumn: boolean,
): Float32Array {
  const result = new Float32Array(values.length);
  if (!byColumn) {
    order.forEach((source, target) =>
      result.set(values.subarray(source * columns, (source + 1) * columns), target * columns),
    );
    return result;
  }
  const rows = values.length / columns;
  for (let row = 0; row < rows; row++) {
    const base = row * columns;
    order.forEach((source, target) => (result[base + target] = values[base + source]!));
  }
  return result;
}

/** Experts must own every neuron exactly once, and k of them must exist. */
function checkPartition(
  prefix: string,
  experts: readonly (readonly number[])[],
  width: number,
  topK: number,
): void {
  if (experts.length < 1 || experts.length > MAX_EXPERTS)
    throw new Error(`${prefix}: ${experts.length} experts; 1 to ${MAX_EXPERTS} are supported`);
  if (topK < 1 || topK > experts.length)
    throw new Error(`${prefix}: top-k ${topK} must be between 1 and ${experts.length}`);
  const owner = new Int32Array(width).fill(-1);
  experts.forEach((neurons, expert) => {
    if (neurons.length === 0) throw new Error(`${prefix}: expert ${expert} owns no neurons`);
    for (const neuron of neurons) {
      if (!Number.isInteger(neuron) || neuron < 0 || neuron >= width || owner[neuron] !== -1)
        throw new Error(
          `${prefix}: neuron ${neuron} of expert ${expert} is out of range or owned twice`,
        );
      owner[neuron] = expert;
    }
  });
  const orphan = owner.indexOf(-1);
  if (orphan >= 0) throw new Error(`${prefix}: neuron ${orphan} belongs to no expert`);
}

async function loadExpertFeedForward(
  load: Uploader,
  config: ModelConfig,
  prefix: string,
  factorise: (gate: Float32Array) => LayerFactorisation,
  topK: number,
): Promise<FeedForward> {
  const d = config.hidden_size;
  const f = config.intermediate_size;
  const gateValues = await load.read(`${prefix}.mlp.gate_proj.weight`);
  const { experts, routerWeight, routerBias } = factorise(gateValues);
  checkPartition(prefix, experts, f, topK);
  if (routerWeight.length !== experts.length * d || routerBias.length !== experts.length)
    throw new Error(
      `${prefix}: the router must be [${experts.length}, ${d}] with ${experts.length} biases`,
    );
  const order = experts.flat();
  const offsets = Int32Array.from([0, ...experts.map((group) => group.length)]);
  for (let index = 1; index < offsets.length; index++) offsets[index]! += offsets[index - 1]!;
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
  /** An expert matrix, f16 or f32 as the checkpoint allows (see Uploader.matrix). */
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
    block: Math.max(...experts.map((group) => group.length)),
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
  };
}

export interface ExpertPlan {
  topK: number;
  experts: number;
  factorise: (layer: number, gate: Float32Array) => LayerFactorisation;
}

/** Every weight of `checkpoint` on the GPU in the layout the forward pass reads. */
export async function loadLlamaWeights(
  engine: Engine,
  checkpoint: Checkpoint,
  expertPlan: ExpertPlan | undefined,
  keepHalf: boolean,
  laneBlocking: boolean,
  maxBindingBytes = engine.device.limits.maxStorageBufferBindingSize,
): Promise<LlamaWeights> {
  const { config } = checkpoint;
  const load = new Uploader(engine, checkpoint, keepHalf, laneBlocking);
  // The embedding lookup reads rows: never lane-blocked, so a tied LM head is not either.
  const embeddings = await load.rowBlocks('model.embed_tokens.weight', maxBindingBytes, false);
  const layers: LayerWeights[] = [];
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    const prefix = `model.layers.${layer}`;
    layers.push({
      inputNorm: await load.tensor(`${prefix}.input_layernorm.weight`),
      ...(await loadAttention(load, config, prefix)),
      postNorm: await load.tensor(`${prefix}.post_attention_layernorm.weight`),
      feedForward: expertPlan
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
      : [
          ...linear(layer.feedForward.router),
          layer.feedForward.experts.gate,
          layer.feedForward.experts.up,
          layer.feedForward.experts.down,
          layer.feedForward.experts.gateBias,
          layer.feedForward.experts.upBias,
          layer.feedForward.experts.downBias,
          layer.feedForward.experts.offsets,
        ]),
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

/** The arrays end to end, in one array of their type. */
function concatenate<T extends Float32Array | Uint16Array>(
  arrays: T[],
  type: { new (length: number): T },
): T {
  if (arrays.length === 1) return arrays[0]!;
  const result = new type(arrays.reduce((total, array) => total + array.length, 0));
  let offset = 0;
  for (const array of arrays) {
    result.set(array, offset);
    offset += array.length;
  }
  return result;
}
