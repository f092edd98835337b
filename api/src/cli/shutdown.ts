/** Seconds cleanup may take after the first signal (FACTORLAB_STOP_GRACE_S; default 10). */
export function stopGraceMs(value = process.env.FACTORLAB_STOP_GRACE_S): number {
  if (value === undefined || value === '') return 10_000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600)
    throw new Error(
      `FACTORLAB_STOP_GRACE_S: "${value}" is not a number of seconds from 0 to 3600; ` +
        "set it below the container's stop grace period (e.g. 110 for Compose's 2m)",
    );
  return seconds * 1000;
}

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
  const graceMs = stopGraceMs();
  let stoppingSince: number | null = null;
  const handle = () => {
    if (stoppingSince !== null) {
      if (Date.now() - stoppingSince > REPEAT_WINDOW_MS) process.exit(130);
      return;
    }
    stoppingSince = Date.now();
    const force = setTimeout(() => {
      console.error(`still stopping after ${graceMs / 1000} s; exiting now`);
      process.exit(1);
    }, graceMs);
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
