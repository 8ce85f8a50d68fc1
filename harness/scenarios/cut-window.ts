/**
 * Where a scenario's one composite fault fits in a run (pg-failover's region failover,
 * redis-sentinel's master-region isolation): after a warm-up, lasting the fault duration, ending
 * before the time limit so the run sees the healed layout; an impossible fit is refused with what
 * to change. The start gets a seeded jitter within the first quarter of the slack; callers draw it
 * from their own stream at the point of their choosing, so each plan keeps its own draw order.
 */
import type { Prng } from "../generator/prng.ts";
import type { ScenarioNemesisPlan } from "./scenario.ts";

export interface CutWindow {
  cutMs: number;
  warmupMs: number;
  /** Room left in the time limit after warm-up and cut. */
  slackMs: number;
}

/** The warm-up is the smaller of one nemesis interval and the run's time limit / `warmupDivisor`. */
export function cutWindow(nemesis: string, opts: ScenarioNemesisPlan, warmupDivisor: number): CutWindow {
  const { timeLimitMs } = opts;
  const cutMs = Math.round(opts.faultDurationMs);
  const warmupMs = Math.round(Math.min(opts.intervalMs, timeLimitMs / warmupDivisor));
  const slackMs = timeLimitMs - warmupMs - cutMs;
  if (!(cutMs > 0) || slackMs < 0) {
    throw new Error(
      `nemesis '${nemesis}': the cut (fault duration ${cutMs / 1000} s) must fit in the time limit ` +
        `(${timeLimitMs / 1000} s) after a warm-up of ${warmupMs / 1000} s: shorten --fault-duration or lengthen --time-limit`,
    );
  }
  return { cutMs, warmupMs, slackMs };
}

/** The cut's start: the warm-up plus a seeded jitter within the first quarter of the slack. */
export function cutStart(w: CutWindow, rng: Prng): number {
  return w.warmupMs + rng.int(0, Math.floor(w.slackMs / 4));
}
