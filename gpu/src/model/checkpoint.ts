import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomically } from './atomic-write.ts';
import { findLayoutProblem } from './checkpoint-layout.ts';
import { readModelConfig, type ModelConfig } from './config.ts';
import { decodeFloat16 } from '../util/float16.ts';
import {
  firstNonFinite,
  firstNonFiniteHalf,
  nonFiniteError,
  nonFiniteKept,
} from './finite-weights.ts';
import { readJsonFile } from './json-file.ts';
import { IGNORED_BUFFER } from './llama-tensors.ts';
import { ModelFileError } from './model-file-error.ts';
import { elementCount, type SafetensorsTensorInfo } from './safetensors/header.ts';
import { SafetensorsFile, type RowRange } from './safetensors/reader.ts';
import { writeSafetensors, type SafetensorsEntry } from './safetensors/writer.ts';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';

const weightsIndexSchema = z.looseObject({
  weight_map: z.record(
    z.string(),
    z.string().regex(/^(?!\.\.?$)[^/\\]+$/, 'shard must be a file name in the same folder'),
  ),
});

export interface CheckpointOptions {
  /**
   * Keep NaN and infinite weights instead of refusing the tensor that holds them, told once per
   * tensor through this callback (what every logit they reach becomes is then the user's choice).
   */
  keepNonFinite?: (warning: string) => void;
}

/** A Hugging Face Llama checkpoint folder, checked against its config; tensors are read on demand. */
export class Checkpoint {
  /** Tensors already reported as holding non-finite values, under keepNonFinite. */
  private readonly reportedNonFinite = new Set<string>();

  private constructor(
    readonly directory: string,
    readonly config: ModelConfig,
    private readonly files: readonly SafetensorsFile[],
    private readonly fileOf: ReadonlyMap<string, SafetensorsFile>,
    private readonly options: CheckpointOptions,
  ) {}

  /** Opens `directory`: config.json, then model.safetensors or the shards its index names. */
  static async open(directory: string, options: CheckpointOptions = {}): Promise<Checkpoint> {
    const config = await readModelConfig(join(directory, CONFIG_FILE));
    const { files, fileOf } = await openWeights(directory);
    try {
      const shapes = new Map([...fileOf].map(([name, file]) => [name, file.info(name).shape]));
      const problem = findLayoutProblem(config, shapes);
      if (problem) {
        const blamed = problem.present ? fileOf.get(problem.tensor)!.path : directory;
        throw new ModelFileError(blamed, problem.problem);
      }
    } catch (error) {
      await Promise.all(files.map((file) => file.close()));
      throw error;
    }
    const parameters = [...fileOf].filter(([name]) => !IGNORED_BUFFER.test(name));
    return new Checkpoint(directory, config, files, new Map(parameters), options);
  }

  get tensorNames(): string[] {
    return [...this.fileOf.keys()];
  }

  has(name: string): boolean {
    return this.fileOf.has(name);
  }

  info(name: string): SafetensorsTensorInfo {
    return this.file(name).info(name);
  }

  /**
   * Tensor `name` (or `rows` of its first dimension) widened to f32; refused if not finite, unless
   * the checkpoint was opened with keepNonFinite.
   */
  async readFloat32(name: string, rows?: RowRange): Promise<Float32Array> {
    const values = await this.file(name).readFloat32(name, rows);
    const index = firstNonFinite(values);
    if (index >= 0) this.refuseNonFinite(name, rows, index, values[index]!);
    return values;
  }

  /** The bits of F16 tensor `name` (or `rows` of it); refused if not finite, as readFloat32. */
  async readFloat16Bits(name: string, rows?: RowRange): Promise<Uint16Array> {
    const bits = await this.file(name).readFloat16Bits(name, rows);
    const index = firstNonFiniteHalf(bits);
    if (index >= 0)
      this.refuseNonFinite(name, rows, index, decodeFloat16(bits.subarray(index), 1)[0]!);
    return bits;
  }

  /**
   * Refuses tensor `name`, whose element `index` of the block `rows` read is `value`, or under
   * keepNonFinite says so once for the tensor and keeps it.
   */
  private refuseNonFinite(
    name: string,
    rows: RowRange | undefined,
    index: number,
    value: number,
  ): void {
    const { shape } = this.info(name);
    const elements = elementCount(shape);
    const rowElements = shape[0] ? elements / shape[0] : 0;
    const at = (rows?.first ?? 0) * rowElements + index;
    const { keepNonFinite } = this.options;
    if (!keepNonFinite) throw nonFiniteError(this.file(name).path, name, at, value, elements);
    if (this.reportedNonFinite.has(name)) return;
    this.reportedNonFinite.add(name);
    keepNonFinite(nonFiniteKept(this.file(name).path, name, at, value, elements));
  }

  async close(): Promise<void> {
    await Promise.all(this.files.map((file) => file.close()));
  }

  private file(name: string): SafetensorsFile {
    const file = this.fileOf.get(name);
    if (!file) throw new ModelFileError(this.directory, `no tensor "${name}"`);
    return file;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

interface OpenWeights {
  files: SafetensorsFile[];
  fileOf: Map<string, SafetensorsFile>;
}

async function openWeights(directory: string): Promise<OpenWeights> {
  const single = join(directory, WEIGHTS_FILE);
  const index = join(directory, WEIGHTS_INDEX_FILE);
  if (await exists(single)) {
    const file = await SafetensorsFile.open(single);
    return { files: [file], fileOf: new Map([...file.tensors.keys()].map((name) => [name, file])) };
  }
  if (await exists(index)) return openShards(directory, index);
  throw new ModelFileError(directory, `neither ${WEIGHTS_FILE} nor ${WEIGHTS_INDEX_FILE} found`);
}

async function openShards(directory: string, index: string): Promise<OpenWeights> {
  const parsed = weightsIndexSchema.safeParse(await readJsonFile(index));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelFileError(index, `${issue.path.join('.')}: ${issue.message}`);
  }
  const weightMap = parsed.data.weight_map;
  const files: SafetensorsFile[] = [];
  const fileOf = new Map<string, SafetensorsFile>();
  try {
    for (const shard of [...new Set(Object.values(weightMap))].sort()) {
      const path = join(directory, shard);
      if (!(await exists(path)))
        throw new ModelFileError(index, `shard "${shard}" is missing from ${directory}`);
      const file = await SafetensorsFile.open(path);
      files.push(file);
      for (const name of file.tensors.keys()) {
        if (weightMap[name] !== shard)
          throw new ModelFileError(
            path,
            `tensor "${name}" is not mapped to this shard by the index`,
          );
        fileOf.set(name, file);
      }
    }
    for (const [name, shard] of Object.entries(weightMap))
      if (!fileOf.has(name))
        throw new ModelFileError(index, `tensor "${name}" is mapped to "${shard}", which lacks it`);
  } catch (error) {
    await Promise.all(files.map((file) => file.close()));
    throw error;
  }
  return { files, fileOf };
}

/**
 * Saves a checkpoint in Hugging Face's single-file layout, each file atomically. The weights are
 * written first, so a folder whose config.json is present always has its whole model.safetensors.
 */
export async function writeCheckpoint(
  directory: string,
  config: ModelConfig,
  entries: readonly SafetensorsEntry[],
): Promise<void> {
  const problem = findLayoutProblem(
    config,
    new Map(entries.map(({ name, shape }) => [name, shape])),
  );
  if (problem) throw new ModelFileError(directory, `refusing to write: ${problem.problem}`);
  await mkdir(directory, { recursive: true });
  await writeSafetensors(join(directory, WEIGHTS_FILE), entries, { format: 'pt' });
  const configJson = `${JSON.stringify(config, null, 2)}\n`;
  await writeFileAtomically(join(directory, CONFIG_FILE), (handle) => handle.writeFile(configJson));
}
