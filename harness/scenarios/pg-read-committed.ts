/**
 * pg-read-committed: pg-serializable's layout and workload at READ COMMITTED, checked by Elle
 * against snapshot-isolation. A negative control: each statement sees its own snapshot, so a
 * transaction reads some keys before and some after another's commit (G-single, read skew), and
 * read-then-append transactions interleave into G2-item; lost-update where Elle can tell.
 */
import { CONTENDED_LIST_APPEND, ISOLATION_DEFAULTS, SINGLE_PRIMARY_LAYOUT } from "./pg-serializable.ts";
import type { Scenario } from "./scenario.ts";

export const pgReadCommitted: Scenario = {
  name: "pg-read-committed",
  layout: "one region, one primary; list-append transactions at READ COMMITTED",
  expected: "not snapshot isolation: G-single, G2-item",
  expectedValid: false,
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
