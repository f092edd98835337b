import { describe, expect, it } from 'vitest';
import {
  acquireGpu,
  AdapterKindError,
  adapterKindFromEnv,
  adapterKindOf,
  requireAdapterKind,
} from '../src/index.ts';

describe("a worker's required adapter kind (FACTORLAB_WORKER_ADAPTER)", () => {
  it('reads gpu, cpu and any, case and spaces aside; unset or empty is any', () => {
    expect(adapterKindFromEnv({ FACTORLAB_WORKER_ADAPTER: 'gpu' })).toBe('gpu');
    expect(adapterKindFromEnv({ FACTORLAB_WORKER_ADAPTER: ' CPU ' })).toBe('cpu');
    expect(adapterKindFromEnv({ FACTORLAB_WORKER_ADAPTER: 'any' })).toBe('any');
    expect(adapterKindFromEnv({ FACTORLAB_WORKER_ADAPTER: '' })).toBe('any');
    expect(adapterKindFromEnv({})).toBe('any');
  });

  it('refuses a value that is no kind, naming the kinds', () => {
    expect(() => adapterKindFromEnv({ FACTORLAB_WORKER_ADAPTER: 'nvidia' })).toThrow(
      'FACTORLAB_WORKER_ADAPTER=nvidia is not an adapter kind: set it to gpu, cpu, any',
    );
  });

  it("accepts this machine's adapter for its own kind and any, and refuses it for the other", async () => {
    const { info } = await acquireGpu();
    const kind = adapterKindOf(info);
    expect(kind).toBe(info.isCpu ? 'cpu' : 'gpu');
    expect(() => requireAdapterKind(info, kind)).not.toThrow();
    expect(() => requireAdapterKind(info, 'any')).not.toThrow();

    const other = kind === 'cpu' ? 'gpu' : 'cpu';
    let refusal: unknown;
    try {
      requireAdapterKind(info, other);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(AdapterKindError);
    const message = (refusal as Error).message;
    expect(message).toContain(`FACTORLAB_WORKER_ADAPTER=${other} but`);
    expect(message).toContain(info.description || info.device);
    if (other === 'gpu') {
      expect(message).toMatch(/nvidia_icd\.json.*runtime: nvidia.*nvidia\.com\/gpu=N/s);
      expect(message).toContain('set FACTORLAB_WORKER_ADAPTER=cpu');
    }
  });
});
