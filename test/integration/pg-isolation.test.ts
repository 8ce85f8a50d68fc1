/**
 * PostgreSQL's isolation levels as controls, on list-append transactions against one primary
 * (20 s each, stated verdicts from harness/scenarios):
 * - pg-serializable passes strict-serializable (a positive control: a failure here is a finding
 *   about PostgreSQL; rerun with KEEP_RUNS=1 to keep the history);
 * - pg-repeatable-read fails serializable with G2-item (write skew) and passes
 *   snapshot-isolation, in the same history;
 * - pg-read-committed fails snapshot-isolation with G-single (read skew) and lost-update.
 */
import { describe, expect, it } from "vitest";
import { pairOps } from "../../checkers/history/pairs.ts";
import { NEMESIS } from "../../checkers/history/op.ts";
import { runScenario } from "../support/run-scenario.ts";

const TIME_LIMIT_S = 20;

describe("PostgreSQL isolation levels on list-append", () => {
  it("pg-serializable: strict-serializable (positive control)", async () => {
    const { outcome, history, cleanup } = await runScenario("pg-serializable", { timeLimitS: TIME_LIMIT_S });
    try {
      expect(() => pairOps(history)).not.toThrow();
      const txns = history.filter((o) => o.process !== NEMESIS && o.f === "txn");
      // Enough committed transactions, and some refused by SSI (contention reached the store).
      expect(txns.filter((o) => o.type === "ok").length).toBeGreaterThan(200);
      expect(txns.filter((o) => o.type === "fail" && /40001/.test(String(o.error))).length).toBeGreaterThan(
        0,
      );
      // A completed read carries the list it read.
      const read = txns.find((o) => o.type === "ok" && (o.value as unknown[][]).some((m) => m[0] === "r"));
      expect(Array.isArray((read!.value as unknown[][]).find((m) => m[0] === "r")![2])).toBe(true);
      const elle = outcome.results!.checkers["elle-list-append"]!;
      expect(elle.valid, JSON.stringify(elle.anomalies.slice(0, 2))).toBe(true);
      expect(outcome.results!.valid).toBe(true);
    } finally {
      cleanup();
    }
  }, 180_000);

  it("pg-repeatable-read: not serializable (G2-item), yet snapshot isolation", async () => {
    const { outcome, cleanup } = await runScenario("pg-repeatable-read", { timeLimitS: TIME_LIMIT_S });
    try {
      const r = outcome.results!;
      expect(r.valid).toBe(false);
      expect(r.checkers["elle-serializable"]!.valid).toBe(false);
      expect(r.checkers["elle-serializable"]!.anomalyTypes).toContain("G2-item");
      // The same history is snapshot isolation: the write skew is all it shows.
      expect(r.checkers["elle-snapshot-isolation"]!.valid).toBe(true);
      expect(r.checkers["elle-snapshot-isolation"]!.allowedAnomalyTypes).toContain("G2-item");
    } finally {
      cleanup();
    }
  }, 180_000);

  it("pg-read-committed: not snapshot isolation (G-single; lost-update in most runs)", async () => {
    const { outcome, cleanup } = await runScenario("pg-read-committed", { timeLimitS: TIME_LIMIT_S });
    try {
      const r = outcome.results!;
      expect(r.valid).toBe(false);
      expect(r.anomalyTypes).toContain("G-single");
      const explained = r.checkers["elle-list-append"]!.anomalies.find((a) => a.type === "G-single");
      expect(explained).toBeDefined();
    } finally {
      cleanup();
    }
  }, 180_000);
});
