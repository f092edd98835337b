import { freemem } from 'node:os';
import type { Checkpoint } from './checkpoint.ts';
import { ModelFileError } from './model-file-error.ts';
import { elementCount } from './safetensors/header.ts';

/** The adapter limits a checkpoint's tensors must fit (a GPUDevice's `limits` has them). */
export interface BufferLimits {
  readonly maxBufferSize: number;
  readonly maxStorageBufferBindingSize: number;
}

export interface FitOptions {
  /** Tensors uploaded in blocks of rows (the embeddings and LM head): only one row must fit. */
  readonly rowBlocked?: readonly string[];
  /** Whether F16 and BF16 tensors may stay in half precision on the GPU (else widened to f32). */
  readonly halfPrecision?: boolean;
  /** Host memory free now; os.freemem() unless given. */
  readonly freeMemoryBytes?: number;
}

/** The tensors the inference path uploads in blocks of rows, each block one binding. */
export const ROW_BLOCKED_TENSORS = ['model.embed_tokens.weight', 'lm_head.weight'] as const;

const GIB = 2 ** 30;

function formatBytes(bytes: number): string {
  return `${bytes} bytes (${(bytes / GIB).toFixed(2)} GiB)`;
}

/**
 * Refuses `checkpoint` before any weight is read when it cannot fit: its weights larger than the
 * host's free memory (they pass through it, and a software adapter's buffers live there too), or
 * a tensor that must sit in one GPU buffer larger than the adapter's buffer or binding limit.
 * Each refusal gives both figures.
 */
export function assertCheckpointFits(
  checkpoint: Checkpoint,
  limits: BufferLimits,
  options: FitOptions = {},
): void {
  const { rowBlocked = [], halfPrecision = false, freeMemoryBytes = freemem() } = options;
  const names = checkpoint.tensorNames;
  const weightBytes = names.reduce((total, name) => {
    const { begin, end } = checkpoint.info(name);
    return total + end - begin;
  }, 0);
  if (weightBytes > freeMemoryBytes)
    throw new ModelFileError(
      checkpoint.directory,
      `the weights take ${formatBytes(weightBytes)}, more than the host's free memory, ` +
        `${formatBytes(freeMemoryBytes)} (os.freemem()); free memory or use a larger machine`,
    );
  const bufferBytes = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
  for (const name of names) {
    const { shape, dtype } = checkpoint.info(name);
    const elementBytes = halfPrecision && dtype !== 'F32' ? 2 : 4;
    const elements = elementCount(shape);
    const blocked = rowBlocked.includes(name) && (shape[0] ?? 0) > 0;
    const bytes = (blocked ? elements / shape[0]! : elements) * elementBytes;
    if (bytes > bufferBytes)
      throw new ModelFileError(
        checkpoint.directory,
        `tensor "${name}" needs ${formatBytes(bytes)} in one GPU buffer${blocked ? ' for one row' : ''}, ` +
          `more than the adapter allows, ${formatBytes(bufferBytes)} (maxBufferSize ` +
          `${limits.maxBufferSize}, maxStorageBufferBindingSize ${limits.maxStorageBufferBindingSize})`,
      );
  }
}
