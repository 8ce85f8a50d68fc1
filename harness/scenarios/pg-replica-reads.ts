/**
 * pg-replica-reads: list-append on pg-async-replica's layout (primary in us-east, asynchronous
 * streaming standby in eu-west), read-only transactions served by the client's local node, so
 * eu-west's reads come from the standby. Checked by Elle against strict-serializable: a negative
 * control, since the standby shows a past the primary has moved on from, worse while the
 * replication link is cut. Elle names the stale reads by the order they break: an eu-west process
 * that appends (on the primary) and then reads (on the standby) without seeing its own append is
 * G-single-process, found in every run measured; a read that misses another process's append
 * acknowledged before it began is G-single-realtime, found in some runs only. The same history is also checked against
 * snapshot-isolation, which standby reads are reported to break too (long fork, G-nonadjacent);
 * that one states no expectation: the results say what was measured.
 *
 * Transactions either only read or only append (`read-or-append`), at REPEATABLE READ: a hot
 * standby refuses SERIALIZABLE, and with no transaction that both reads and writes, snapshot
 * isolation on the primary cannot produce write skew, so what Elle finds is the standby's doing.
 */
import { PRIMARY_STANDBY_LAYOUT } from "./pg-async-replica.ts";
import type { Scenario } from "./scenario.ts";

export const pgReplicaReads: Scenario = {
  name: "pg-replica-reads",
  layout:
    "list-append; writes on the us-east primary, reads on each region's node (eu-west: an async standby)",
  expected:
    "not strict-serializable: stale reads (G-single-process: a process misses its own append; in some runs also G-single-realtime); snapshot-isolation as measured",
  expectedValid: false,
  expectedAnomalies: ["G-single-process"],
  implemented: true,
  store: "postgres",
  layoutSpec: PRIMARY_STANDBY_LAYOUT,
  workload: "list-append",
  workloadOptions: {
    isolation: "repeatable read",
    txnKind: "read-or-append",
    activeKeys: 8,
    writesPerKey: 32,
  },
  routing: { writes: "primary", reads: "local" },
  checkers: [
    {
      name: "elle-list-append",
      as: "elle-strict-serializable",
      options: { consistencyModel: "strict-serializable" },
    },
    {
      name: "elle-list-append",
      as: "elle-snapshot-isolation",
      options: { consistencyModel: "snapshot-isolation" },
    },
  ],
  defaults: { concurrency: 10, rate: 400 },
  readVariants: { local: "pg-replica-reads", primary: "pg-replica-reads-primary" },
};

/** `--reads primary`: the same workload and faults with every read on the primary, which must then
 *  be strict-serializable (a positive control: the stale reads were the standby's). */
export const pgReplicaReadsPrimary: Scenario = {
  ...pgReplicaReads,
  name: "pg-replica-reads-primary",
  layout: "as pg-replica-reads, with every read on the us-east primary",
  expected: "strict-serializable: reads on the primary are not stale",
  expectedValid: true,
  expectedAnomalies: undefined,
  routing: { writes: "primary", reads: "primary" },
  checkers: [{ name: "elle-list-append", options: { consistencyModel: "strict-serializable" } }],
  readVariants: undefined,
};
