import type { Checkpoint } from '../model/checkpoint.ts';
import { writeCheckpoint } from '../model/checkpoint.ts';
import type { ModelConfig } from '../model/config.ts';
import { llamaTensorSpecs, optionalBiasShape } from '../model/llama-tensors.ts';
import { randomCheckpointEntries } from '../model/random-init.ts';
import { encodeValues, type SafetensorsDType } from '../model/safetensors/dtype.ts';
import type { Gpu } from '../runtime/device.ts';
import { tensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** A model's weights by their Hugging Face names, on the host. */
export type ParameterValues = ReadonlyMap<
  string,
  { shape: readonly number[]; values: Float32Array }
>;

/** Every tensor of `checkpoint` that the Llama layout names, widened to f32. */
export async function readParameterValues(checkpoint: Checkpoint): Promise<ParameterValues> {
  const values = new Map<string, { shape: readonly number[]; values: Float32Array }>();
  const { config } = checkpoint;
  const names = [
    ...llamaTensorSpecs(config).map((spec) => spec.name),
    ...checkpoint.tensorNames.filter((name) => optionalBiasShape(config, name) !== undefined),
  ];
  for (const name of names) {
    values.set(name, {
      shape: checkpoint.info(name).shape,
      values: await checkpoint.readFloat32(name),
    });
  }
  return values;
}

/** Hugging Face's initialisation of a Llama of `config` (see randomCheckpointEntries). */
export function initialParameterValues(config: ModelConfig, seed: number): ParameterValues {
  return new Map(
    randomCheckpointEntries(config, seed, 'F32').map((entry) => {
      const bytes = entry.encode();
      const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      return [entry.name, { shape: entry.shape, values }];
    }),
  );
}

/**
 * A model's trainable tensors by name. Every tensor starts requiring a gradient; `freeze` turns
 * groups of them off (their gradients are then neither computed nor applied).
 */
export class Parameters {
  private constructor(private readonly tensors: ReadonlyMap<string, Tensor>) {}

  static upload(gpu: Gpu, values: ParameterValues): Parameters {
    return new Parameters(
      new Map(
        [...values].map(([name, { shape, values: data }]) => [
          name,
          tensor(gpu, data, shape, { requiresGrad: true }),
        ]),
      ),
    );
  }

  get names(): string[] {
    return [...this.tensors.keys()];
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  get(name: string): Tensor {
    const found = this.tensors.get(name);
    if (!found) throw new Error(`the model has no parameter "${name}"`);
    return found;
  }

  /** Stops training the parameters whose names match `pattern`; returns how many matched. */
  freeze(pattern: RegExp): number {
    return this.setTrainable(pattern, false);
  }

  unfreeze(pattern: RegExp): number {
    return this.setTrainable(pattern, true);
  }

  /** The tensors that train, in name order. */
  get trainable(): Tensor[] {
    return [...this.tensors.values()].filter((parameter) => parameter.requiresGrad);
  }

  /** Trainable names and tensors, in name order, for an optimizer's state to be keyed by name. */
  get trainableEntries(): [string, Tensor][] {
    return [...this.tensors].filter(([, parameter]) => parameter.requiresGrad);
  }

  /** Elements over all parameters (a tied head counted once). */
  get count(): number {
    return [...this.tensors.values()].reduce((total, parameter) => total + parameter.size, 0);
  }

  async read(): Promise<ParameterValues> {
    const values = new Map<string, { shape: readonly number[]; values: Float32Array }>();
    for (const [name, parameter] of this.tensors) {
      values.set(name, { shape: parameter.shape, values: await parameter.read() });
    }
    return values;
  }

  /** Writes the weights as a Hugging Face checkpoint folder (config.json, model.safetensors). */
  async save(
    directory: string,
    config: ModelConfig,
    dtype: SafetensorsDType = 'F32',
  ): Promise<void> {
    const values = await this.read();
    await writeCheckpoint(
      directory,
      { ...config, torch_dtype: TORCH_DTYPE[dtype] },
      [...values].map(([name, { shape, values: data }]) => ({
        name,
        dtype,
        shape,
        encode: () => encodeValues(data, dtype),
      })),
    );
  }

  dispose(): void {
    for (const parameter of this.tensors.values()) {
      parameter.zeroGrad();
      parameter.dispose();
    }
  }

  private setTrainable(pattern: RegExp, trainable: boolean): number {
    let matched = 0;
    for (const [name, parameter] of this.tensors) {
      if (!pattern.test(name)) continue;
      parameter.requiresGrad = trainable;
      if (!trainable) parameter.zeroGrad();
      matched++;
    }
    return matched;
  }
}

const TORCH_DTYPE = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' } as const;
