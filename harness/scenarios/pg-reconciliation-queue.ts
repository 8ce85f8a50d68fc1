/**
 * Conflicts to a manual reconciliation queue (the seeds' "manual reconciliation queues for high-risk
 * records"), on the multi-writer layout (a writable PostgreSQL per region, bidirectional logical
 * replication), with sets kept as one array row per key, both regions adding to the same two sets.
 *
 * - pg-reconciliation-queue (positive): a remote version concurrent with the local one (version
 *   vectors) is not applied but queued; a simulated person resolves each entry after a second by
 *   merging both versions. Every acknowledged add ends in the final state or in a pending queue
 *   entry: nothing is lost silently. Queued-to-resolved latency: signals.reconciliation.
 * - pg-multi-writer-set (negative): PostgreSQL's own behaviour, the remote version applied on
 *   arrival: the adds only the overwritten version had vanish without a record (lost-write).
 */
import { MULTI_WRITER_LAYOUT } from "./pg-multi-writer.ts";
import type { Scenario } from "./scenario.ts";

const base = {
  implemented: true as const,
  store: "postgres",
  layoutSpec: MULTI_WRITER_LAYOUT,
  workload: "set",
  workloadOptions: { keys: 2 },
  routing: { writes: "local", reads: "local" } as const,
  checkers: [{ name: "nothing-lost-silently", options: {} }],
};

export const pgReconciliationQueue: Scenario = {
  ...base,
  name: "pg-reconciliation-queue",
  layout:
    "multi-writer; sets as one row per key; concurrent versions go to a reconciliation queue (version vectors), resolved by a simulated person after 1 s",
  expected:
    "every acknowledged add is in the final state or in the queue (nothing lost silently); regions converge; resolution latency measured",
  expectedValid: true,
  storeOptions: { resolution: "queue" },
};

export const pgMultiWriterSet: Scenario = {
  ...base,
  name: "pg-multi-writer-set",
  layout: "multi-writer; sets as one row per key; the remote version applied on arrival (no queue)",
  expected: "acknowledged adds dropped without a record (lost-write)",
  expectedValid: false,
  expectedAnomalies: ["lost-write"],
  storeOptions: { resolution: "apply-on-arrival" },
};
