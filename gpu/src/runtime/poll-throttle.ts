/**
 * dawn.node resolves its promises (mapAsync, onSubmittedWorkDone, popErrorScope) by re-posting a
 * native, anonymous callback through the global `setImmediate` for as long as any is pending,
 * which keeps one CPU core spinning. On a CPU adapter (lavapipe) that core is taken from the
 * kernels themselves: measured on 2 cores, an FMA-bound kernel ran at 33 GFLOP/s while Dawn spun
 * and at 45 with this throttle. Dawn looks `setImmediate` up on every re-post, so wrapping the
 * global lets its poll chain spin briefly (short waits stay fast) and then poll on 1 ms timers.
 */

/** Spinning this long covers a dispatch-and-readback round trip (about 0.08 ms on lavapipe). */
const SPIN_MS = 0.5;
const POLL_INTERVAL_MS = 1;

let installed = false;

/**
 * Dawn's callback is a native function with no name and no parameters, posted without arguments.
 * Promise resolvers are native and nameless too, but take one parameter.
 */
function isDawnPollCallback(callback: unknown, args: unknown[]): callback is () => void {
  return (
    typeof callback === 'function' &&
    callback.name === '' &&
    callback.length === 0 &&
    args.length === 0 &&
    Function.prototype.toString.call(callback).includes('[native code]')
  );
}

export function installPollThrottle(): void {
  if (installed) return;
  installed = true;

  const nativeSetImmediate = globalThis.setImmediate;
  let chainStartedAt = 0;
  let insideDawnPoll = false;

  const throttledSetImmediate = (callback: unknown, ...args: unknown[]) => {
    if (!isDawnPollCallback(callback, args)) {
      return nativeSetImmediate(callback as (...args: unknown[]) => void, ...args);
    }
    const now = performance.now();
    // A re-post from inside Dawn's own poll continues a chain; any other post starts one.
    if (!insideDawnPoll) chainStartedAt = now;
    const poll = () => {
      insideDawnPoll = true;
      try {
        callback();
      } finally {
        insideDawnPoll = false;
      }
    };
    return now - chainStartedAt < SPIN_MS
      ? nativeSetImmediate(poll)
      : setTimeout(poll, POLL_INTERVAL_MS);
  };
  globalThis.setImmediate = Object.assign(
    throttledSetImmediate,
    nativeSetImmediate,
  ) as typeof setImmediate;
}
