import { acquireGpu } from '@factorlab/gpu';

/** The GPU device a run computes on, watched for loss while the run lasts. */
export interface DeviceWatch {
  /** Rejects with the reason once the device is lost; never settles otherwise. */
  readonly lost: Promise<never>;
  /** The reason, once the device is lost. */
  lostReason(): string | undefined;
}

/**
 * Watches the process's GPU device (the one the run's job will acquire). A lost device makes
 * later GPU work no-ops or hangs, so a job can even "succeed" with numbers computed by nothing:
 * the run must fail with the reason instead. The next run acquires a fresh device.
 */
export async function watchDevice(): Promise<DeviceWatch> {
  const { device } = await acquireGpu();
  let reason: string | undefined;
  const lost = device.lost.then((info): never => {
    reason = `the GPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''})`;
    throw new Error(reason);
  });
  lost.catch(() => {}); // observed through Promise.race; a run that ends first never reads it
  return { lost, lostReason: () => reason };
}
