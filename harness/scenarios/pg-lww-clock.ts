/**
 * Last-writer-wins when clocks disagree (the seeds' "LWW: simple, dangerous when clocks disagree").
 * The multi-writer layout (a writable PostgreSQL in us-east and in eu-west, bidirectional logical
 * replication) with last-writer-wins by row timestamp (each node stamps a local write with its own
 * clock_timestamp(); a trigger keeps the newer version on apply and records the one it drops), the
 * register workload, clients writing and reading their local node.
 *
 * - pg-lww-clock-skew (negative): eu-west's clock runs 2 s fast (libfaketime; its own nemesis
 *   `eu-west-clock-ahead`). A us-east write that began after an eu-west write was acknowledged
 *   still carries the earlier stamp, so both regions keep eu-west's older value: acknowledged
 *   writes lost silently. The lww-clock checker names each, with both writes' real times and stamps.
 * - pg-lww-clock-sync (positive): the same with the clocks agreeing: last-writer-wins still drops
 *   one of two concurrent writes (its nature), but never a write later in real time.
 */
import type { ScheduledFault } from "../nemesis/spec.ts";
import { MULTI_WRITER_LAYOUT } from "./pg-multi-writer.ts";
import type { Scenario, ScenarioNemesisPlan } from "./scenario.ts";

export const CLOCK_AHEAD = "eu-west-clock-ahead";
export const CLOCK_AHEAD_MS = 2000;

/** eu-west's node clock 2 s ahead from after a warm-up until shortly before the end. */
export function planClockAhead(opts: ScenarioNemesisPlan): ScheduledFault[] {
  const warmup = Math.min(2000, Math.round(opts.timeLimitMs / 10));
  return [
    {
      atMs: warmup,
      durationMs: Math.max(1000, opts.timeLimitMs - warmup - 1000),
      spec: { kind: "clock", action: "bump", node: "pg-eu-west-1", deltaMs: CLOCK_AHEAD_MS },
    },
  ];
}

const base = {
  implemented: true as const,
  store: "postgres",
  layoutSpec: MULTI_WRITER_LAYOUT,
  storeOptions: { resolution: "last-writer-wins" },
  workload: "register",
  // Few keys, so both regions write the same key within the skew again and again.
  workloadOptions: { keysInFlight: 2, readShare: 0.3, writeShare: 0.7 },
  routing: { writes: "local", reads: "local" } as const,
  checkers: [{ name: "lww-clock", options: {} }],
};

export const pgLwwClockSkew: Scenario = {
  ...base,
  name: "pg-lww-clock-skew",
  layout: `multi-writer, last-writer-wins by row timestamp; eu-west's clock ${CLOCK_AHEAD_MS / 1000} s ahead`,
  expected:
    "later acknowledged writes lost to earlier ones with a faster clock (lost-write), explained by real times and stamps",
  expectedValid: false,
  expectedAnomalies: ["lost-write"],
  defaults: { nemesis: [CLOCK_AHEAD] },
  nemeses: {
    [CLOCK_AHEAD]: {
      description: `pg-eu-west-1's clock ${CLOCK_AHEAD_MS / 1000} s ahead for most of the run`,
      plan: planClockAhead,
    },
  },
};

export const pgLwwClockSync: Scenario = {
  ...base,
  name: "pg-lww-clock-sync",
  layout: "multi-writer, last-writer-wins by row timestamp; clocks agree",
  expected: "no write later in real time is dropped (concurrent ones are, by design)",
  expectedValid: true,
  defaults: { nemesis: [] },
};
