import { acquireGpu, type Gpu } from '../runtime/device.ts';
import type { Reporter } from './job.ts';

/** The GPU a job computes on, its adapter reported to whoever runs the job. */
export async function acquireJobGpu(reporter: Reporter): Promise<Gpu> {
  reporter.progress(0, 'acquiring GPU');
  const gpu = await acquireGpu();
  reporter.device(gpu.info);
  return gpu;
}
