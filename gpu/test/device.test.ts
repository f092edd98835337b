import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { acquireGpu, BACKEND_ENV, NoAdapterError, withValidation } from '../src/index.ts';

const REQUESTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxStorageBuffersPerShaderStage',
] as const;

/** Runs fixtures/acquire-gpu.ts in a child process with `env` added. */
async function acquireInChildProcess(env: Record<string, string>) {
  const script = fileURLToPath(new URL('fixtures/acquire-gpu.ts', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
  });
  return JSON.parse(stdout) as { ok: boolean; name?: string; message?: string };
}

describe('acquireGpu', () => {
  it('opens one device per process and shares it', async () => {
    const [first, second] = await Promise.all([acquireGpu(), acquireGpu()]);
    expect(second).toBe(first);
    expect(await acquireGpu()).toBe(first);
  });

  it("requests the adapter's limits and the optional features it has", async () => {
    const { adapter, device } = await acquireGpu();
    for (const limit of REQUESTED_LIMITS) {
      expect(device.limits[limit], limit).toBe(adapter.limits[limit]);
    }
    for (const feature of ['shader-f16', 'subgroups', 'timestamp-query'] as const) {
      expect(device.features.has(feature), feature).toBe(adapter.features.has(feature));
    }
  });

  it('describes the adapter', async () => {
    const { adapter, device, info } = await acquireGpu();
    expect(info).toMatchObject({
      vendor: adapter.info.vendor,
      architecture: adapter.info.architecture,
      device: adapter.info.device,
      description: adapter.info.description,
      backend: process.env[BACKEND_ENV] || expect.any(String),
      features: [...device.features].sort(),
    });
    if (/llvmpipe|lavapipe|swiftshader/i.test(info.description)) expect(info.isCpu).toBe(true);
  });

  it('gives Mesa a runtime directory', async () => {
    await acquireGpu();
    expect(process.env.XDG_RUNTIME_DIR).toBeTruthy();
  });

  it('opens a fresh device once the shared one is lost', async () => {
    const lostGpu = await acquireGpu();
    lostGpu.device.destroy();
    await lostGpu.device.lost;

    const freshGpu = await acquireGpu();

    expect(freshGpu.device).not.toBe(lostGpu.device);
    expect(await acquireGpu()).toBe(freshGpu);
  });
});

describe('acquireGpu without an adapter', { timeout: 30_000 }, () => {
  it('throws NoAdapterError naming the problem and the fix when no driver is found', async () => {
    const outcome = await acquireInChildProcess({
      [BACKEND_ENV]: 'vulkan',
      VK_DRIVER_FILES: '/nonexistent/icd.json',
      VK_ICD_FILENAMES: '/nonexistent/icd.json',
    });
    expect(outcome).toMatchObject({ ok: false, name: 'NoAdapterError' });
    expect(outcome.message).toMatch(/^No WebGPU adapter: Dawn \(backend vulkan\) found no adapter/);
  });

  it('throws NoAdapterError when Dawn cannot start with the requested backend', async () => {
    const outcome = await acquireInChildProcess({ [BACKEND_ENV]: 'no-such-backend' });
    expect(outcome).toMatchObject({ ok: false, name: 'NoAdapterError' });
    expect(outcome.message).toMatch(
      /^No WebGPU adapter: Dawn could not start \(unrecognised backend 'no-such-backend'\)/,
    );
  });

  it('explains the fix in one paragraph', () => {
    const { message } = new NoAdapterError('requestAdapter() returned null');
    expect(message).not.toContain('\n');
    expect(message).toContain('bookworm-backports');
    expect(message).toContain(
      'apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1',
    );
    expect(message).toContain('bash .ci/install-system-deps.sh');
    expect(message).toContain("vendor's Vulkan driver");
    expect(message).toContain(BACKEND_ENV);
  });
});

describe("throttling Dawn's polling", () => {
  it('leaves every other setImmediate caller alone', async () => {
    await acquireGpu();
    const received = await new Promise((resolve) => setImmediate(resolve, 'argument'));
    expect(received).toBe('argument');
    expect(await promisify(setImmediate)('promisified')).toBe('promisified');
  });
});

describe('withValidation', () => {
  it('returns what the encoding returned when WebGPU found nothing wrong', async () => {
    const { device } = await acquireGpu();
    const buffer = await withValidation(device, 'make buffer', () =>
      device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE }),
    );
    expect(buffer.size).toBe(16);
    buffer.destroy();
  });

  it('throws an error naming the operation when WebGPU reports a validation error', async () => {
    const { device } = await acquireGpu();
    await expect(
      withValidation(device, 'scale [N=3]', () =>
        device.createBuffer({
          size: 16,
          usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.MAP_WRITE,
        }),
      ),
    ).rejects.toThrow(/^scale \[N=3\]: WebGPU validation failed: /);
  });

  it('rethrows what the encoding threw and leaves the scopes balanced', async () => {
    const { device } = await acquireGpu();
    await expect(
      withValidation(device, 'broken', () => {
        throw new Error('encoding failed');
      }),
    ).rejects.toThrow('encoding failed');
    device.pushErrorScope('validation');
    device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.MAP_WRITE });
    expect(await device.popErrorScope()).not.toBeNull();
  });
});
