/**
 * The one way harness code waits: `await sleep(ms)`, or `await sleep(ms, signal)` to wake early
 * when the run is aborted. (Not the `sleep` generator in generator/generator.ts, which is an
 * operation schedule, not a wait.)
 */

/** Resolves after `ms`, at once when `ms <= 0` or the signal is already aborted, or early on abort. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
