/**
 * pg-serializable: one region, one PostgreSQL primary, list-append transactions at SERIALIZABLE,
 * checked by Elle against strict-serializable. A positive control: PostgreSQL's SSI on a single
 * node promises serializability, and a single node's commits are visible in real-time order. If it
 * ever finds an anomaly, that is a finding about PostgreSQL (Jepsen found G2-item in 12.3): keep
 * the history and report it; never weaken the check to make it pass.
 *
 * The single-region layout and the high-contention workload knobs are shared by the isolation
 * controls (pg-repeatable-read, pg-read-committed) so that they differ only in the level.
 */
import type { LayoutSpec } from "../stores/store-driver.ts";
import type { Scenario } from "./scenario.ts";

/** One region, one primary, no standby: the store's isolation alone is under test. */
export const SINGLE_PRIMARY_LAYOUT: LayoutSpec = {
  kind: "primary-standbys",
  regions: ["us-east"],
  nodes: [{ name: "pg-us-east-1", region: "us-east", role: "primary" }],
};

/** Few keys and many concurrent transactions, so that weaker levels show their anomalies within
 *  a 20-30 s run. */
export const CONTENDED_LIST_APPEND = { activeKeys: 8, writesPerKey: 32, maxTxnLength: 4 };

/** No faults: these scenarios test isolation, not replication (`--nemesis` can still add some). */
export const ISOLATION_DEFAULTS: Scenario["defaults"] = { nemesis: [], concurrency: 10, rate: 400 };

export const pgSerializable: Scenario = {
  name: "pg-serializable",
  layout: "one region, one primary; list-append transactions at SERIALIZABLE",
  expected: "strict-serializable; an anomaly would be a finding about PostgreSQL",
  expectedValid: true,
  implemented: true,
  store: "postgres",
  layoutSpec: SINGLE_PRIMARY_LAYOUT,
  workload: "list-append",
  workloadOptions: { ...CONTENDED_LIST_APPEND, isolation: "serializable" },
  routing: { writes: "primary", reads: "primary" },
  checkers: [{ name: "elle-list-append", options: { consistencyModel: "strict-serializable" } }],
  defaults: ISOLATION_DEFAULTS,
};
