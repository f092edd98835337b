import type { DeviceInfo } from './device-info.ts';

/**
 * The kind of adapter a worker must compute on: `gpu` (a hardware adapter), `cpu` (lavapipe or
 * another CPU implementation) or `any`. Unset means `any`. A container that was meant to get a GPU
 * but lacks the driver's Vulkan ICD silently gets lavapipe; `gpu` turns that into an error.
 */
export const WORKER_ADAPTER_ENV = 'FACTORLAB_WORKER_ADAPTER';

export type AdapterKind = 'gpu' | 'cpu' | 'any';

const KINDS: readonly AdapterKind[] = ['gpu', 'cpu', 'any'];

const GPU_FIX =
  "this machine or container has no GPU driver Dawn can use (usually the NVIDIA driver's Vulkan ICD, " +
  'nvidia_icd.json, is missing). Give the worker its GPU through the NVIDIA runtime ' +
  '(`runtime: nvidia` with NVIDIA_VISIBLE_DEVICES) or a CDI device (nvidia.com/gpu=N, from ' +
  '`nvidia-ctk cdi generate`), which mount the ICD, with "graphics" in ' +
  'NVIDIA_DRIVER_CAPABILITIES; `lab gpu` shows the adapter found. To compute on the CPU on ' +
  `purpose, set ${WORKER_ADAPTER_ENV}=cpu`;

/** The worker was given an adapter of another kind than it was asked for. */
export class AdapterKindError extends Error {
  override name = 'AdapterKindError';
}

/** The required kind from FACTORLAB_WORKER_ADAPTER; a value that is no kind is refused. */
export function adapterKindFromEnv(env: NodeJS.ProcessEnv = process.env): AdapterKind {
  const raw = env[WORKER_ADAPTER_ENV]?.trim().toLowerCase();
  if (!raw) return 'any';
  if (!(KINDS as readonly string[]).includes(raw)) {
    throw new AdapterKindError(
      `${WORKER_ADAPTER_ENV}=${env[WORKER_ADAPTER_ENV]} is not an adapter kind: set it to ` +
        `${KINDS.join(', ')} (unset: any)`,
    );
  }
  return raw as AdapterKind;
}

/** The kind of the adapter `info` describes. */
export function adapterKindOf(info: DeviceInfo): 'gpu' | 'cpu' {
  return info.isCpu ? 'cpu' : 'gpu';
}

/** Throws, naming the adapter and the fix, when `info` is not of the `wanted` kind. */
export function requireAdapterKind(info: DeviceInfo, wanted: AdapterKind): void {
  const found = adapterKindOf(info);
  if (wanted === 'any' || wanted === found) return;
  const adapter = `${info.description || info.device || 'unnamed adapter'} (${info.vendor || 'unknown vendor'})`;
  throw new AdapterKindError(
    found === 'cpu'
      ? `${WORKER_ADAPTER_ENV}=gpu but the WebGPU adapter Dawn found is the CPU one, ${adapter}: ${GPU_FIX}`
      : `${WORKER_ADAPTER_ENV}=cpu but the WebGPU adapter is a GPU, ${adapter}: hide the GPU from ` +
          `this worker or set ${WORKER_ADAPTER_ENV}=gpu (or any)`,
  );
}
