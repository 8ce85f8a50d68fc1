/**
 * pg-replica-reads (20 s): list-append with read-only transactions on each region's node, so
 * eu-west reads the asynchronous standby. Against strict-serializable that is a negative control:
 * reads that miss appends acknowledged before they began (a process's own: G-single-process;
 * another's: G-single-realtime, in some runs). What the same history
 * shows against snapshot-isolation is measured, not asserted (see the scenario file); the test
 * only checks that the verdict is there. With `--reads primary` (its variant) the same workload and
 * faults are strict-serializable: the stale reads were the standby's.
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../support/run-scenario.ts";

describe("pg-replica-reads", () => {
  it("reads on the async standby are stale: not strict-serializable", async () => {
    const { outcome, history, cleanup } = await runScenario("pg-replica-reads", { timeLimitS: 20 });
    try {
      // eu-west's read-only transactions went to the standby, its appends to the primary.
      const euReads = history.filter(
        (o) =>
          o.type === "ok" && o.region === "eu-west" && (o.value as unknown[][]).every((m) => m[0] === "r"),
      );
      expect(euReads.length).toBeGreaterThan(50);
      expect(euReads.every((o) => o.node === "pg-eu-west-1")).toBe(true);
      const r = outcome.results!;
      expect(r.valid).toBe(false);
      const strict = r.checkers["elle-strict-serializable"]!;
      expect(strict.valid).toBe(false);
      // Stale reads, named by the order they break (process order for a process's own appends).
      expect(strict.anomalyTypes).toContain("G-single-process");
      const si = r.checkers["elle-snapshot-isolation"]!;
      expect([true, false, "unknown"]).toContain(si.valid);
      console.log(
        `pg-replica-reads: strict-serializable ${strict.anomalyTypes.join(", ")}; ` +
          `snapshot-isolation ${si.valid === true ? "valid" : si.anomalyTypes.join(", ") || si.valid}`,
      );
    } finally {
      cleanup();
    }
  }, 180_000);

  it("--reads primary (pg-replica-reads-primary): the same run with reads on the primary is strict-serializable", async () => {
    const { outcome, history, cleanup } = await runScenario("pg-replica-reads-primary", { timeLimitS: 20 });
    try {
      const reads = history.filter(
        (o) => o.type === "ok" && (o.value as unknown[][]).every((m) => m[0] === "r"),
      );
      expect(reads.length).toBeGreaterThan(100);
      expect(reads.every((o) => o.node === "pg-us-east-1")).toBe(true);
      const elle = outcome.results!.checkers["elle-list-append"]!;
      expect(elle.valid, JSON.stringify(elle.anomalies.slice(0, 2))).toBe(true);
    } finally {
      cleanup();
    }
  }, 180_000);
});
