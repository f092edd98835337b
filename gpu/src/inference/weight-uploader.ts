import type { Checkpoint } from '../model/checkpoint.ts';
import { elementCount } from '../model/safetensors/header.ts';
import type { RowRange } from '../model/safetensors/reader.ts';
import type { RowBlocks } from '../kernel/row-blocks.ts';
import { LANE_BLOCK_ROWS, laneBlock, laneBlockedRows } from '../kernel/lane-blocked.ts';
import type { Engine } from '../runtime/engine.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { DType } from '../tensor/dtype.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { encodeFloat16 } from '../util/float16.ts';
import type { Linear } from './linear.ts';

/** A matrix's rows from tensor `source` (or `rows` of it), or `values` derived from it. */
export interface MatrixPart {
  source: string;
  rows?: RowRange;
  values?: Float32Array;
}

const HALF_DTYPES = new Set(['F16', 'BF16']);

/**
 * Which matrices are stored in f16 on the GPU: none; those the checkpoint stores in F16 or BF16
 * (exact, or kept f32 when a BF16 value is outside f16's range); or every one, F32 matrices
 * rounded to the nearest f16 (an opt-in: half the bytes a decode step reads, the logits move).
 */
export type HalfStorage = 'none' | 'stored' | 'all';
/** Values a lane-blocked projection is read in at a time (16 MB as f32). */
const CHUNK_ELEMENTS = 1 << 22;
const FLOAT16_MAX = 65_504;

/**
 * Uploads a checkpoint's tensors one at a time, so it is never held in host memory whole: in f16
 * where the checkpoint and the device allow, lane-blocked for the row-streaming kernels, in blocks
 * of rows where a matrix is larger than one binding, lane-blocked matrices a chunk at a time.
 */
export class WeightUploader {
  constructor(
    private readonly engine: Engine,
    private readonly checkpoint: Checkpoint,
    /** Which matrices to keep in f16 (the device computes with f16 unless 'none'). */
    private readonly half: HalfStorage,
    /** Store projection matrices lane-blocked for the row-streaming (CPU) kernels. */
    private readonly laneBlocking: boolean,
  ) {}

  /** Whether a matrix the checkpoint stores as `dtype` is kept in f16 where its values fit. */
  private storesHalf(dtype: string): boolean {
    return this.half === 'all' || (this.half === 'stored' && HALF_DTYPES.has(dtype));
  }

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
    const halves = await this.halfParts(parts);
    const target = this.allocate(label, shape, halves ? 'f16' : 'f32');
    let byteOffset = 0;
    for (const [index, part] of parts.entries()) {
      const values = halves?.[index] ?? (await this.values(part));
      this.write(target, values, byteOffset);
      byteOffset += values.byteLength;
    }
    return target;
  }

  /**
   * Every part's f16 bits, or undefined when one of them is not kept in f16: its dtype is not
   * (see storesHalf), its length is odd, or a value is outside f16's range.
   */
  private async halfParts(parts: MatrixPart[]): Promise<Uint16Array[] | undefined> {
    const halves: Uint16Array[] = [];
    for (const part of parts) {
      const { dtype, shape } = this.checkpoint.info(part.source);
      const elements = part.rows
        ? (elementCount(shape) / shape[0]!) * part.rows.count
        : elementCount(shape);
      if (!this.storesHalf(dtype) || elements % 2 !== 0) return undefined;
      if (dtype === 'F16' && !part.values) {
        halves.push(await this.checkpoint.readFloat16Bits(part.source, part.rows));
        continue;
      }
      const values = await this.values(part);
      if (!values.every((value) => Math.abs(value) <= FLOAT16_MAX)) return undefined;
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
    const elementBytes = this.storesHalf(dtype) ? 2 : 4;
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
    const halves = await this.halfParts(parts);
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
    if (this.storesHalf(this.checkpoint.info(part.source).dtype)) {
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
