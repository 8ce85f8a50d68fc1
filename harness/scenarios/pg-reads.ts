/**
 * The read consistency options on one layout, one scenario per policy, so the cost of each
 * guarantee is measured (per-region read latency in the signals' `byF.read`) beside what it buys.
 * The layout is pg-async-replica's: primary in us-east, an asynchronous standby in eu-west, writes
 * to the primary, register workload; only the read routing differs (`--reads` on pg-async-replica
 * runs the matching one):
 * - pg-reads-local: each region's own node. Fails read-your-writes and linearizability.
 * - pg-reads-pinned: local once the standby has applied the session's causality token (the WAL
 *   position of its last write and last read), else the primary. Holds read-your-writes and
 *   monotonic reads; still stale for other sessions' writes, so not linearizable.
 * - pg-reads-primary: every read on the primary. Linearizable, at a cross-region read for eu-west.
 */
import { pgAsyncReplica } from "./pg-async-replica.ts";
import type { CheckerSpec, Scenario } from "./scenario.ts";

const LINEARIZABLE: CheckerSpec = {
  name: "linearizable",
  options: { model: "cas-register", initial: null, allKeys: true },
};
const SESSION: CheckerSpec = { name: "session", options: {} };

const base = {
  store: pgAsyncReplica.store,
  layoutSpec: pgAsyncReplica.layoutSpec,
  workload: pgAsyncReplica.workload,
  implemented: true as const,
  checkers: [LINEARIZABLE, SESSION],
};

export const pgReadsLocal: Scenario = {
  ...base,
  name: "pg-reads-local",
  layout: "single writer in us-east, async standby in eu-west; reads local (the region's own node)",
  expected: "local reads: stale, so read-your-writes and linearizability fail",
  expectedValid: false,
  expectedAnomalies: ["nonlinearizable", "read-your-writes"],
  routing: { writes: "primary", reads: "local" },
};

export const pgReadsPinned: Scenario = {
  ...base,
  name: "pg-reads-pinned",
  layout:
    "single writer in us-east, async standby in eu-west; reads pinned: local once it has applied the session's last write and read (WAL position), else the primary",
  expected:
    "read-your-writes and monotonic reads hold (session passes); other sessions' writes still read stale: nonlinearizable",
  expectedValid: false,
  expectedAnomalies: ["nonlinearizable"],
  routing: { writes: "primary", reads: "pinned" },
};

export const pgReadsPrimary: Scenario = {
  ...base,
  name: "pg-reads-primary",
  layout: "single writer in us-east, async standby in eu-west; reads strong (on the primary)",
  expected: "linearizable and read-your-writes; eu-west pays a cross-region round trip per read",
  expectedValid: true,
  routing: { writes: "primary", reads: "primary" },
};
