const GRACE_MS = 10_000;
/**
 * Ctrl-C in a terminal signals the whole process group, so a child of `lab start` gets SIGINT from
 * the terminal and SIGTERM from its parent moments apart: only a later signal means "exit now".
 */
const REPEAT_WINDOW_MS = 1_000;

/**
 * Runs `cleanup` on the first SIGINT or SIGTERM, then exits. A second signal, or cleanup taking
 * longer than the grace period, exits at once.
 */
export function onShutdown(cleanup: () => Promise<void>): void {
  let stoppingSince: number | null = null;
  const handle = () => {
    if (stoppingSince !== null) {
      if (Date.now() - stoppingSince > REPEAT_WINDOW_MS) process.exit(130);
      return;
    }
    stoppingSince = Date.now();
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
