/**
 * pg-bank: Jepsen's bank on one PostgreSQL primary. At SERIALIZABLE every read of all balances
 * sums to the total (a positive control). pg-bank-read-committed is its negative twin: READ
 * COMMITTED with the read split into one statement per account, so a transfer that commits
 * between two of those statements is seen half done: a wrong total.
 */
import { BANK_TOTAL } from "../../workloads/bank.ts";
import { ISOLATION_DEFAULTS, SINGLE_PRIMARY_LAYOUT } from "./pg-serializable.ts";
import type { Scenario } from "./scenario.ts";

export const pgBank: Scenario = {
  name: "pg-bank",
  layout: "one region, one primary; bank transfers and reads of every balance at SERIALIZABLE",
  expected: "every read sums to the total",
  expectedValid: true,
  implemented: true,
  store: "postgres",
  layoutSpec: SINGLE_PRIMARY_LAYOUT,
  workload: "bank",
  workloadOptions: { isolation: "serializable" },
  routing: { writes: "primary", reads: "primary" },
  checkers: [{ name: "bank", options: { total: BANK_TOTAL } }],
  defaults: ISOLATION_DEFAULTS,
};

export const pgBankReadCommitted: Scenario = {
  ...pgBank,
  name: "pg-bank-read-committed",
  layout:
    "as pg-bank at READ COMMITTED, each balance read by its own statement (a transfer may commit in between)",
  expected: "reads with a wrong total",
  expectedValid: false,
  expectedAnomalies: ["wrong-total"],
  workloadOptions: { isolation: "read committed", splitReads: true },
};
