import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDevice, type DeviceInfo } from './device-info.ts';
import { installPollThrottle } from './poll-throttle.ts';

/** The device every op of this process computes on, with the adapter it came from. */
export interface Gpu {
  readonly device: GPUDevice;
  readonly adapter: GPUAdapter;
  readonly info: DeviceInfo;
}

/**
 * Whether kernels that share values across a subgroup of `lanes` invocations may run here: the
 * device has the subgroups feature and its smallest subgroup holds at least `lanes`.
 */
export function hasSubgroupsOf({ device, adapter }: Gpu, lanes: number): boolean {
  return device.features.has('subgroups') && (adapter.info.subgroupMinSize ?? 0) >= lanes;
}

export interface AcquireGpuOptions {
  powerPreference?: GPUPowerPreference;
}

/** Names a Dawn backend (vulkan, opengles, metal, d3d12, ...); unset, Dawn picks one. */
export const BACKEND_ENV = 'FACTORLAB_WEBGPU_BACKEND';

/**
 * Threads lavapipe (the CPU adapter) computes on; unset, one per core. 1 runs each dispatch on
 * lavapipe's submitting thread, which saves the wake-up of its worker threads per dispatch: on
 * virtual machines that wake-up costs tens of microseconds, so decoding (many small dispatches)
 * can run faster on one thread, while prefill and training (few large ones) run faster on all.
 */
export const CPU_THREADS_ENV = 'FACTORLAB_CPU_THREADS';

/** Default device limits are far below what adapters offer; ops need the adapter's maxima. */
const REQUIRED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxStorageBuffersPerShaderStage',
] as const;

const OPTIONAL_FEATURES: readonly GPUFeatureName[] = ['shader-f16', 'subgroups', 'timestamp-query'];

const FIX =
  'On Linux without a GPU, install Mesa lavapipe (a CPU Vulkan driver) from Debian 12 ' +
  'bookworm-backports, as Debian 12’s own Mesa is too old for Dawn: ' +
  '`apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1`, or run ' +
  '`bash .ci/install-system-deps.sh` from the repository root. On a machine with a GPU, install ' +
  `the vendor's Vulkan driver. To try another Dawn backend, set ${BACKEND_ENV} (e.g. vulkan, ` +
  'opengles).';

/** No WebGPU adapter could be had; the message says why and how to fix it. */
export class NoAdapterError extends Error {
  override name = 'NoAdapterError';

  constructor(problem: string, options?: ErrorOptions) {
    super(`No WebGPU adapter: ${problem}. ${FIX}`, options);
  }
}

interface DawnInstance {
  readonly gpu: GPU;
  readonly backend: string | undefined;
}

/** Dawn's instance for the life of the process: if collected while a device lives, node crashes. */
let dawn: DawnInstance | undefined;
let current: Gpu | undefined;
let opening: Promise<Gpu> | undefined;

/**
 * The process's GPU, opened on first use and shared afterwards. A lost device is dropped, so the
 * next call opens a fresh one. The backend comes from FACTORLAB_WEBGPU_BACKEND and is fixed by the
 * first call.
 */
export async function acquireGpu(options: AcquireGpuOptions = {}): Promise<Gpu> {
  if (current) return current;
  opening ??= openGpu(options)
    .then((gpu) => (current = gpu))
    .finally(() => (opening = undefined));
  return opening;
}

async function openGpu({ powerPreference }: AcquireGpuOptions): Promise<Gpu> {
  const instance = await loadDawn();
  const adapter = await findAdapter(instance, powerPreference);
  const device = await adapter.requestDevice({
    label: 'factorlab',
    requiredLimits: Object.fromEntries(REQUIRED_LIMITS.map((name) => [name, adapter.limits[name]])),
    requiredFeatures: OPTIONAL_FEATURES.filter((feature) => adapter.features.has(feature)),
  });
  void device.lost.then(() => {
    if (current?.device === device) current = undefined;
  });
  return { device, adapter, info: describeDevice(adapter, device, instance.backend) };
}

/** Core feature level where the backend offers it, else compatibility (OpenGL ES). */
async function findAdapter(
  { gpu, backend }: DawnInstance,
  powerPreference: GPUPowerPreference | undefined,
): Promise<GPUAdapter> {
  let adapter: GPUAdapter | null;
  try {
    adapter =
      (await gpu.requestAdapter({ powerPreference, featureLevel: 'core' })) ??
      (await gpu.requestAdapter({ powerPreference, featureLevel: 'compatibility' }));
  } catch (error) {
    // Dawn rejects here, not in create(), for a backend it does not know.
    throw new NoAdapterError(`Dawn could not start (${firstLine(error)})`, { cause: error });
  }
  if (!adapter) {
    throw new NoAdapterError(
      `Dawn (backend ${backend ?? 'default'}) found no adapter; requestAdapter() returned null`,
    );
  }
  return adapter;
}

async function loadDawn(): Promise<DawnInstance> {
  if (dawn) return dawn;
  const backend = process.env[BACKEND_ENV] || undefined;
  prepareEnvironment(backend);
  try {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    dawn = { gpu: create(backend ? [`backend=${backend}`] : []), backend };
  } catch (error) {
    throw new NoAdapterError(`Dawn could not start (${firstLine(error)})`, { cause: error });
  }
  installPollThrottle();
  return dawn;
}

/** LP_NUM_THREADS for a FACTORLAB_CPU_THREADS value: lavapipe's 0 is one thread, inline. */
function applyCpuThreads(): void {
  const value = process.env[CPU_THREADS_ENV];
  if (value === undefined || value.trim() === '') return;
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(
      `${CPU_THREADS_ENV}=${value}: must be a whole number of at least 1 (unset: one per core)`,
    );
  }
  process.env.LP_NUM_THREADS = String(threads === 1 ? 0 : threads);
}

function prepareEnvironment(backend: string | undefined): void {
  applyCpuThreads();
  // Mesa prints errors without a runtime directory.
  if (!process.env.XDG_RUNTIME_DIR) {
    const runtimeDir = join(tmpdir(), `factorlab-runtime-${process.getuid?.() ?? 'user'}`);
    mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = runtimeDir;
  }
  // Mesa's EGL needs no display server on this platform.
  if (backend?.startsWith('opengl')) process.env.EGL_PLATFORM ??= 'surfaceless';
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
