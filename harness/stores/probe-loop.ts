/**
 * The loop every background probe of a store runs (replication lag, conflict counters): one round
 * every `intervalMs` until stopped, rounds never overlapping; a round that throws is a skipped
 * sample (a node paused, killed or cut off), not the end of the probe. The round gets the stop
 * signal, so a long wait inside it ends when the run does.
 */
import { sleep } from "../sleep.ts";

export interface Probe {
  stop(): Promise<void>;
}

export function probeLoop(round: (stopped: AbortSignal) => Promise<void>, intervalMs: number): Probe {
  const stopper = new AbortController();
  const running = (async () => {
    while (!stopper.signal.aborted) {
      await round(stopper.signal).catch(() => {});
      await sleep(intervalMs, stopper.signal);
    }
  })();
  return {
    async stop() {
      stopper.abort();
      await running;
    },
  };
}
