/**
 * The multi-writer scenarios (the seeds' "multi-writer: any region writes any data; needs conflict
 * resolution"): a writable PostgreSQL node in us-east and in eu-west, bidirectional logical
 * replication (PostgreSQL 16+, origin = none), clients writing their local node. The counter
 * workload makes lost updates countable: increments of a shared row (`v = v + 1`) in both regions.
 *
 * - pg-multi-writer: PostgreSQL's own behaviour, the remote row version applied on arrival. Two
 *   regions incrementing one row overwrite each other's versions: increments are lost (reads below
 *   the acknowledged increments: counter-out-of-range), and when the last versions cross, each
 *   node ends with the other's value for good (divergence). PostgreSQL counts the conflicts.
 * - pg-multi-writer-lww: the same with last-writer-wins (a row timestamp and a trigger that keeps
 *   the newer version, enabled ALWAYS so it runs on replication apply): nodes converge, but the
 *   older of two concurrent increments is thrown away, acknowledged or not (counter-out-of-range);
 *   signals.conflicts.discarded names each version that lost and the one it lost to.
 * - pg-multi-writer-crdt: counters as a CRDT (G-counter): a row per node, each node increments only
 *   its own, a read sums them. No row is written in two places: no conflicts, nothing lost.
 *
 * The verdict on lost increments comes from the converged reads (each region reads every counter
 * after healing and quiescing); reads during the run are local, so they lag by the replication
 * delay: the counter checker over all reads runs too, as the layout's expected cost.
 */
import type { ScheduledFault } from "../nemesis/spec.ts";
import type { LayoutSpec } from "../stores/store-driver.ts";
import type { Scenario, ScenarioNemesisPlan } from "./scenario.ts";

export const WRITE_APART = "write-apart";

/**
 * The regions write apart until the end: replication between them is cut (clients still reach
 * every node) from 40 % of the run until healing. Each side applies its own increments meanwhile;
 * at the heal the two backlogs cross, so each node ends with the other's last row version. A cut
 * that heals mid-run is repaired by later writes (the next versions overwrite both copies), so
 * only a cut lasting to the end shows divergence every time.
 */
export function planWriteApart(opts: ScenarioNemesisPlan): ScheduledFault[] {
  const atMs = Math.round(opts.timeLimitMs * 0.4);
  return [
    {
      atMs,
      durationMs: opts.timeLimitMs - atMs,
      spec: {
        kind: "partition",
        mechanism: "blackhole",
        shape: "partial",
        region: opts.topology.regions[0]!.name,
      },
    },
  ];
}

const writeApart = {
  [WRITE_APART]: {
    description:
      "cut replication between the regions from 40% of the run until healing (clients reach every node)",
    plan: planWriteApart,
  },
};

export const MULTI_WRITER_LAYOUT: LayoutSpec = {
  kind: "multi-writer",
  regions: ["us-east", "eu-west"],
  nodes: [
    { name: "pg-us-east-1", region: "us-east", role: "writer" },
    { name: "pg-eu-west-1", region: "eu-west", role: "writer" },
  ],
};

export const pgMultiWriter: Scenario = {
  name: "pg-multi-writer",
  layout:
    "multi-writer: every region writes; bidirectional logical replication (PostgreSQL 16+, origin = none), no conflict resolution",
  expected:
    "lost updates (counter below acknowledged increments), divergence after healing; conflicts counted",
  expectedValid: false,
  expectedAnomalies: ["counter-out-of-range", "divergence"],
  implemented: true,
  store: "postgres",
  layoutSpec: MULTI_WRITER_LAYOUT,
  storeOptions: { resolution: "apply-on-arrival" },
  workload: "counter",
  // One shared row: both regions increment it many times a second, so the last versions of the
  // run cross in flight (the copies then differ for good) in practically every run.
  workloadOptions: { keys: 1 },
  routing: { writes: "local", reads: "local" },
  defaults: { nemesis: [WRITE_APART] },
  nemeses: writeApart,
  // Lost increments show in the converged reads (final: after healing and quiescing); reads during
  // the run are local and lag by the replication delay, the expected cost of reading locally.
  checkers: [
    { name: "counter", options: { finalReadsOnly: true } },
    {
      name: "counter",
      as: "counter-local-reads",
      options: {},
      expectedCost: "reads are local: during the run they lag by the replication delay",
    },
  ],
};

export const pgMultiWriterLww: Scenario = {
  ...pgMultiWriter,
  name: "pg-multi-writer-lww",
  layout: "multi-writer with last-writer-wins by row timestamp (a trigger keeps the newer version on apply)",
  expected:
    "converges, but drops acknowledged increments (lost-update as counter-out-of-range); the discarded versions listed",
  expectedAnomalies: ["counter-out-of-range"],
  storeOptions: { resolution: "last-writer-wins" },
  workloadOptions: { keys: 1 },
};

export const pgMultiWriterCrdt: Scenario = {
  ...pgMultiWriter,
  name: "pg-multi-writer-crdt",
  layout:
    "multi-writer with CRDT counters: one row per region, each region increments only its own, value = sum",
  expected: "positive: converges, no lost increments, zero conflicts",
  expectedValid: true,
  expectedAnomalies: undefined,
  storeOptions: { resolution: "apply-on-arrival", counter: "row-per-node" },
  workloadOptions: { keys: 3 },
};
