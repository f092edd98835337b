import { acquireGpu, NoAdapterError } from '@factorlab/gpu';
import { fail } from './fail.ts';
import { EXIT_NO_ADAPTER } from './serve.ts';

export async function gpuCommand(): Promise<void> {
  try {
    const gpu = await acquireGpu();
    console.log(JSON.stringify(gpu.info, null, 2));
    gpu.device.destroy();
  } catch (error) {
    if (error instanceof NoAdapterError) fail(error.message, EXIT_NO_ADAPTER);
    throw error;
  }
}
