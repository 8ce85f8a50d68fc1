/**
 * Stale cache: the seeds' "stale cache serving old cross-region data". The single-writer layout
 * (primary in us-east, standby in eu-west, synchronous so the switchover loses no
 * acknowledged write) with a cache tier per region: Redis, cache-aside, in front of the database. Reads go
 * through the cache of the session's region; a miss reads where writes go (the primary) and caches
 * the row for `ttlMs`, renewed on every hit (a sliding TTL, common for hot keys). Halfway through,
 * the primary moves to eu-west (its own nemesis, `primary-move`: a failover with no split window).
 *
 * - pg-stale-cache (negative): writes do not touch the cache. An entry is stale from the next write
 *   on; a hot key's entry never expires, so the caches keep serving values the primary (old and,
 *   after the move, new) has overwritten, for far longer than the TTL: `stale-read` past the TTL
 *   is the finding, stale reads within it are the expected cost. Each stale read's age is in the
 *   report, beside the fault it happened under.
 * - pg-stale-cache-invalidate (positive): every write deletes the key in every region's cache
 *   before it is acknowledged (with a guarded fill), so no read is stale at all, across the move.
 *
 * The move is a planned switchover (store option `fenceOldPrimary`): the old primary is stopped
 * before the standby is promoted, so it neither takes writes nor counts as a copy of the database
 * afterwards (left running, it would hold the values of the moment it was abandoned, the split
 * brain pg-failover is about).
 */
import type { ScheduledFault } from "../nemesis/spec.ts";
import { PRIMARY, PRIMARY_STANDBY_LAYOUT, REPLICA } from "./pg-async-replica.ts";
import type { Scenario, ScenarioNemesisPlan } from "./scenario.ts";

export const PRIMARY_MOVE = "primary-move";
export const CACHE_TTL_MS = 1000;

/** The primary moves to the standby's region at 40 % of the run; routing follows at once. */
export function planPrimaryMove(opts: ScenarioNemesisPlan): ScheduledFault[] {
  return [
    {
      atMs: Math.round(opts.timeLimitMs * 0.4),
      durationMs: Math.max(1000, Math.round(opts.faultDurationMs)),
      spec: { kind: "failover", from: PRIMARY, to: REPLICA, windowMs: 0, splitFraction: 0 },
    },
  ];
}

const base = {
  implemented: true as const,
  store: "postgres",
  layoutSpec: PRIMARY_STANDBY_LAYOUT,
  workload: "register",
  // Keys live for the whole run, so cache entries outlive many writes.
  workloadOptions: { opsPerKey: 100_000 },
  routing: { writes: "primary", reads: "primary" } as const,
  checkers: [{ name: "staleness", options: { staleBoundMs: CACHE_TTL_MS } }],
  defaults: { nemesis: [PRIMARY_MOVE] },
  nemeses: {
    [PRIMARY_MOVE]: {
      description: "promote the standby in eu-west and move every client's writes (and cache fills) to it",
      plan: planPrimaryMove,
    },
  },
};

export const pgStaleCache: Scenario = {
  ...base,
  name: "pg-stale-cache",
  layout: `single writer, synchronous standby, failover; a Redis cache per region (cache-aside, sliding TTL ${CACHE_TTL_MS} ms, no invalidation)`,
  expected: `reads stale past the ${CACHE_TTL_MS} ms TTL (values the primary overwrote); stale within it is the expected cost`,
  expectedValid: false,
  expectedAnomalies: ["stale-read"],
  storeOptions: {
    synchronous: true,
    fenceOldPrimary: true,
    cache: { ttlMs: CACHE_TTL_MS, invalidate: false, sliding: true },
  },
};

export const pgStaleCacheInvalidate: Scenario = {
  ...base,
  name: "pg-stale-cache-invalidate",
  layout: `as pg-stale-cache, with every write deleting the key in every region's cache before it is acknowledged`,
  expected:
    "no stale reads, across the primary's move (every write invalidates every region's cache before its ack)",
  expectedValid: true,
  storeOptions: {
    synchronous: true,
    fenceOldPrimary: true,
    cache: { ttlMs: CACHE_TTL_MS, invalidate: true, sliding: true },
  },
};
