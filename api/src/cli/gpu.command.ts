import { withGpu } from './with-gpu.ts';

export async function gpuCommand(): Promise<void> {
  await withGpu(undefined, async (gpu) => {
    console.log(JSON.stringify(gpu.info, null, 2));
  });
}
