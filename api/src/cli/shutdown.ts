const GRACE_MS = 10_000;

/**
 * Runs `cleanup` on the first SIGINT or SIGTERM, then exits. A second signal, or cleanup taking
 * longer than the grace period, exits at once.
 */
export function onShutdown(cleanup: () => Promise<void>): void {
  let stopping = false;
  const handle = () => {
    if (stopping) process.exit(130);
    stopping = true;
    const force = setTimeout(() => {
      console.error(`still stopping after ${GRACE_MS / 1000} s; exiting now`);
      process.exit(1);
    }, GRACE_MS);
    force.unref();
    cleanup()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error('error while stopping:', error);
        process.exit(1);
      });
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}
