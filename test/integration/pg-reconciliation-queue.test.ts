/**
 * A reconciliation queue on real PostgreSQL multi-writer nodes, 20 s runs: with conflicting updates
 * queued for a (simulated) person, every acknowledged add is in the final state or the queue and
 * the regions converge, with the queued-to-resolved latency measured; applying remote versions on
 * arrival instead drops acknowledged adds without a record. Heavy: run alone.
 */
import { afterAll, describe, expect, it } from "vitest";
import { runScenario } from "../support/run-scenario.ts";

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

describe("reconciliation queue", () => {
  it("queue: nothing lost silently, conflicts queued and resolved, regions converge", async () => {
    const { outcome, cleanup } = await runScenario("pg-reconciliation-queue", { timeLimitS: 20 });
    cleanups.push(cleanup);
    const r = outcome.results!;
    expect(r.valid).toBe(true);
    expect(r.checkers.divergence!.valid).toBe(true);
    const q = r.signals.reconciliation as {
      queued: number;
      resolved: number;
      resolutionLatencyMs: { p50: number };
    };
    expect(q.queued).toBeGreaterThan(0);
    expect(q.resolved).toBe(q.queued);
    // the simulated person waits a second before resolving
    expect(q.resolutionLatencyMs.p50).toBeGreaterThanOrEqual(1000);
  }, 150_000);

  it("apply on arrival: acknowledged adds dropped without a record", async () => {
    const { outcome, cleanup } = await runScenario("pg-multi-writer-set", { timeLimitS: 20 });
    cleanups.push(cleanup);
    const c = outcome.results!.checkers["nothing-lost-silently"]!;
    expect(c.valid).toBe(false);
    expect(c.anomalyTypes).toEqual(["lost-write"]);
  }, 150_000);
});
