/**
 * pg-repeatable-read: pg-serializable's layout and workload at REPEATABLE READ (snapshot isolation
 * in PostgreSQL), checked by Elle twice: against `serializable`, which it must fail (a negative
 * control: G2-item, write skew, which snapshot isolation allows), and against
 * `snapshot-isolation`, which the same history should pass; the results show both.
 */
import { CONTENDED_LIST_APPEND, ISOLATION_DEFAULTS, SINGLE_PRIMARY_LAYOUT } from "./pg-serializable.ts";
import type { Scenario } from "./scenario.ts";

export const pgRepeatableRead: Scenario = {
  name: "pg-repeatable-read",
  layout: "one region, one primary; list-append transactions at REPEATABLE READ",
  expected: "not serializable: G2-item (write skew); passes snapshot-isolation",
  expectedValid: false,
  expectedAnomalies: ["G2-item"],
  implemented: true,
  store: "postgres",
  layoutSpec: SINGLE_PRIMARY_LAYOUT,
  workload: "list-append",
  workloadOptions: { ...CONTENDED_LIST_APPEND, isolation: "repeatable read" },
  routing: { writes: "primary", reads: "primary" },
  checkers: [
    { name: "elle-list-append", as: "elle-serializable", options: { consistencyModel: "serializable" } },
    {
      name: "elle-list-append",
      as: "elle-snapshot-isolation",
      options: { consistencyModel: "snapshot-isolation" },
    },
  ],
  defaults: ISOLATION_DEFAULTS,
};
