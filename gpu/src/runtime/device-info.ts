import { availableParallelism } from 'node:os';

/** What the engine knows about the adapter a job ran on; recorded with every run. */
export interface DeviceInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  backend: string;
  /** True for CPU implementations of the API (lavapipe, SwiftShader). */
  isCpu: boolean;
  features: string[];
  /** lavapipe only: the threads it computes on (see FACTORLAB_CPU_THREADS). */
  cpuThreads?: number;
}

const CPU_ADAPTER_NAMES = /llvmpipe|lavapipe|swiftshader/i;
const LAVAPIPE_NAMES = /llvmpipe|lavapipe/i;

const DEFAULT_BACKEND_BY_PLATFORM: Partial<Record<NodeJS.Platform, string>> = {
  darwin: 'metal',
  win32: 'd3d12',
};

/**
 * What a run records about where it computed. Dawn does not report its backend, so the requested
 * one (or the platform's default) stands in. Features are the device's: those kernels may use.
 */
export function describeDevice(
  adapter: GPUAdapter,
  device: GPUDevice,
  requestedBackend: string | undefined,
): DeviceInfo {
  const { vendor, architecture, description, isFallbackAdapter } = adapter.info;
  const names = `${adapter.info.device} ${description}`;
  return {
    vendor,
    architecture,
    device: adapter.info.device,
    description,
    backend: requestedBackend ?? DEFAULT_BACKEND_BY_PLATFORM[process.platform] ?? 'vulkan',
    // Dawn marks CPU implementations as fallback adapters (lavapipe: architecture 'software').
    isCpu: isFallbackAdapter || architecture === 'software' || CPU_ADAPTER_NAMES.test(names),
    features: [...device.features].sort(),
    ...(LAVAPIPE_NAMES.test(names) ? { cpuThreads: lavapipeThreads() } : {}),
  };
}

/** The threads lavapipe computes on: LP_NUM_THREADS (0 is one, inline), else one per core. */
function lavapipeThreads(): number {
  const requested = Number(process.env.LP_NUM_THREADS);
  if (process.env.LP_NUM_THREADS && Number.isInteger(requested) && requested >= 0)
    return Math.max(1, requested);
  return availableParallelism();
}
