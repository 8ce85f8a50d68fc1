/**
 * pg-read-committed: pg-serializable's layout and workload at READ COMMITTED, checked by Elle
 * against snapshot-isolation. A negative control: each statement sees its own snapshot, so a
 * transaction reads some keys before and some after another's commit (G-single, read skew), and
 * two transactions that read a key's list and then both append to it are a lost-update (as Elle
 * names it: both read the same version); a transaction that reads a key twice sees another's
 * commit in between (internal). Measured: all three in every 20 s run; G-nonadjacent in some;
 * G2-item was not reported in the runs measured.
 */
import { CONTENDED_LIST_APPEND, ISOLATION_DEFAULTS, SINGLE_PRIMARY_LAYOUT } from "./pg-serializable.ts";
import type { Scenario } from "./scenario.ts";

export const pgReadCommitted: Scenario = {
  name: "pg-read-committed",
  layout: "one region, one primary; list-append transactions at READ COMMITTED",
  expected:
    "not snapshot isolation: G-single (read skew) every run; lost-update and internal (non-repeatable reads) in most",
  expectedValid: false,
  // G-single in every measured run (8/8); lost-update in 7 of 8, so it is not required.
  expectedAnomalies: ["G-single"],
  implemented: true,
  store: "postgres",
  layoutSpec: SINGLE_PRIMARY_LAYOUT,
  workload: "list-append",
  workloadOptions: { ...CONTENDED_LIST_APPEND, isolation: "read committed" },
  routing: { writes: "primary", reads: "primary" },
  checkers: [{ name: "elle-list-append", options: { consistencyModel: "snapshot-isolation" } }],
  defaults: ISOLATION_DEFAULTS,
};
