/**
 * The other transactional workloads on real PostgreSQL, each a short run of a test-only scenario
 * on one primary, judged by its Jepsen checker: rw-register at SERIALIZABLE passes Elle's
 * strict-serializable and at READ COMMITTED fails snapshot-isolation; long-fork inserts and group
 * reads show no fork on one node; counter reads stay within their bounds. Shows each workload's
 * client, routing and history shape work end to end, not just its generator.
 */
import { describe, expect, it } from "vitest";
import { NEMESIS } from "../../checkers/history/op.ts";
import { registerScenario } from "../../harness/scenarios/index.ts";
import { SINGLE_PRIMARY_LAYOUT } from "../../harness/scenarios/pg-serializable.ts";
import type { Scenario } from "../../harness/scenarios/scenario.ts";
import { runScenario } from "../support/run-scenario.ts";

function scenario(
  name: string,
  workload: string,
  options: Record<string, unknown>,
  checker: Scenario["checkers"][0],
): Scenario {
  const s: Scenario = {
    name,
    layout: "test: one primary",
    expected: "test",
    expectedValid: true,
    implemented: true,
    store: "postgres",
    layoutSpec: SINGLE_PRIMARY_LAYOUT,
    workload,
    workloadOptions: options,
    routing: { writes: "primary", reads: "primary" },
    checkers: [checker],
    defaults: { nemesis: [], concurrency: 8, rate: 300 },
  };
  registerScenario(s);
  return s;
}

const RUN_S = 10;

describe("transactional workloads on PostgreSQL", () => {
  it("rw-register: serializable at SERIALIZABLE, not snapshot isolation at READ COMMITTED", async () => {
    scenario(
      "it-rw-register-serializable",
      "rw-register",
      { isolation: "serializable", activeKeys: 6 },
      {
        name: "elle-rw-register",
        options: { consistencyModel: "strict-serializable" },
      },
    );
    scenario(
      "it-rw-register-read-committed",
      "rw-register",
      { isolation: "read committed", activeKeys: 3 },
      {
        name: "elle-rw-register",
        options: { consistencyModel: "snapshot-isolation" },
      },
    );
    const good = await runScenario("it-rw-register-serializable", { timeLimitS: RUN_S });
    try {
      const reads = good.history.filter(
        (o) =>
          o.type === "ok" && (o.value as unknown[][]).some((m) => m[0] === "r" && typeof m[2] === "number"),
      );
      expect(reads.length).toBeGreaterThan(50);
      const elle = good.outcome.results!.checkers["elle-rw-register"]!;
      expect(elle.valid, JSON.stringify(elle.anomalies.slice(0, 2))).toBe(true);
    } finally {
      good.cleanup();
    }
    const bad = await runScenario("it-rw-register-read-committed", { timeLimitS: RUN_S });
    try {
      expect(bad.outcome.results!.valid).toBe(false);
    } finally {
      bad.cleanup();
    }
  }, 240_000);

  it("long-fork: group reads on one primary never fork", async () => {
    scenario(
      "it-long-fork",
      "long-fork",
      { isolation: "repeatable read" },
      { name: "long-fork", options: {} },
    );
    const { outcome, history, cleanup } = await runScenario("it-long-fork", { timeLimitS: RUN_S });
    try {
      const ok = history.filter((o) => o.process !== NEMESIS && o.type === "ok");
      const inserts = ok.filter((o) => (o.value as unknown[][])[0]![0] === "w");
      const sawSome = ok.filter((o) => (o.value as unknown[][]).some((m) => m[0] === "r" && m[2] !== null));
      expect(inserts.length).toBeGreaterThan(50);
      expect(sawSome.length).toBeGreaterThan(50);
      expect(outcome.results!.checkers["long-fork"]!.valid).toBe(true);
    } finally {
      cleanup();
    }
  }, 120_000);

  it("counter: reads within the acknowledged and attempted increments", async () => {
    scenario("it-counter", "counter", { keys: 2 }, { name: "counter", options: {} });
    const { outcome, history, cleanup } = await runScenario("it-counter", { timeLimitS: RUN_S });
    try {
      const reads = history.filter((o) => o.f === "read" && o.type === "ok");
      expect(reads.some((o) => (o.value as number) > 10)).toBe(true);
      expect(outcome.results!.checkers.counter!.valid).toBe(true);
    } finally {
      cleanup();
    }
  }, 120_000);
});
