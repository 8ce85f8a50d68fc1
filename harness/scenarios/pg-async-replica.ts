/**
 * pg-async-replica: "active-active reads, single-writer writes". The primary lives in us-east, an
 * asynchronous streaming standby in eu-west. Writes and compare-and-set go to the primary (a
 * cross-region hop for eu-west's clients); reads go to the client's local node. While the
 * replication link is cut, eu-west keeps serving reads of an ever older past: stale reads, so the
 * register is not linearizable. Acknowledged writes are not lost (there is no failover).
 *
 * pg-sync-replica is the same layout with synchronous_commit = remote_apply.
 */
import type { LayoutSpec } from "../stores/store-driver.ts";
import type { CheckerSpec, Scenario } from "./scenario.ts";

export const PRIMARY = "pg-us-east-1";
export const REPLICA = "pg-eu-west-1";

/** Primary in us-east, one standby in eu-west. */
export const PRIMARY_STANDBY_LAYOUT: LayoutSpec = {
  kind: "primary-standbys",
  regions: ["us-east", "eu-west"],
  nodes: [
    { name: PRIMARY, region: "us-east", role: "primary" },
    { name: REPLICA, region: "eu-west", role: "replica" },
  ],
};

const LINEARIZABLE_REGISTER: CheckerSpec = {
  name: "linearizable",
  // Every key is checked, so the report shows each stale read, not just the first.
  options: { model: "cas-register", initial: null, allKeys: true },
};

export const pgAsyncReplica: Scenario = {
  name: "pg-async-replica",
  layout:
    "active-active reads, single-writer writes; async streaming replica in a second region, local reads",
  expected: "stale reads, not linearizable; no lost writes",
  expectedValid: false,
  expectedAnomalies: ["nonlinearizable", "read-your-writes"],
  implemented: true,
  store: "postgres",
  layoutSpec: PRIMARY_STANDBY_LAYOUT,
  workload: "register",
  routing: { writes: "primary", reads: "local" },
  checkers: [LINEARIZABLE_REGISTER, { name: "session", options: {} }],
  // `--reads P` runs the same layout as pg-reads-P (pg-reads.ts), with that policy's expectation.
  readVariants: { local: "pg-reads-local", pinned: "pg-reads-pinned", primary: "pg-reads-primary" },
};

export const pgSyncReplica: Scenario = {
  ...pgAsyncReplica,
  name: "pg-sync-replica",
  layout:
    "as pg-async-replica, with synchronous_commit = remote_apply: a commit returns once the standby applied it",
  expected: "reads-after-writes hold; writes stall while partitioned",
  expectedValid: true,
  expectedAnomalies: undefined,
  storeOptions: { synchronous: true },
  readVariants: undefined,
  // remote_apply promises that a session reads its own writes, not linearizability: a read on
  // the primary can still miss a commit the standby already shows, until the ack arrives.
  checkers: [{ name: "session", options: {} }],
};
