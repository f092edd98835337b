import type { Command } from 'commander';

export async function gpuCommand(): Promise<void> {
  const { withGpu } = await import('./with-gpu.ts');
  await withGpu(undefined, async (gpu) => {
    console.log(JSON.stringify(gpu.info, null, 2));
  });
}

/** `lab gpu`. */
export function registerGpu(program: Command): void {
  program
    .command('gpu')
    .description("print this machine's WebGPU adapter, or why there is none")
    .action(gpuCommand);
}
