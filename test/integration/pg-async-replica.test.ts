/**
 * The default scenario end to end on real PostgreSQL processes and real proxies: a well-formed
 * history, the stale reads of the eu-west standby found (a negative control), and nothing left
 * running afterwards.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NEMESIS } from "../../checkers/history/op.ts";
import { pairOps } from "../../checkers/history/pairs.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { runTest } from "../../harness/run/runner.ts";
import type { RunningPostgresNode } from "../../harness/stores/postgres/postgres-node.ts";

const store = mkdtempSync(join(tmpdir(), "faultline-it-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

const alive = (pid: number) => existsSync(`/proc/${pid}`);

describe("pg-async-replica, end to end", () => {
  it("finds the standby's stale reads, writes a checkable history, and leaves nothing running", async () => {
    const config = validateConfig({
      ...DEFAULTS,
      name: "it-async",
      scenario: "pg-async-replica",
      seed: 12345,
      store,
      timeLimitS: 14,
      nemesisIntervalS: 4,
      faultDurationS: 3,
      // A lag objective the cut replication link must break, and a latency one it cannot.
      slo: { maxReplicationLagMs: 500, p99LatencyMs: 60_000 },
    });
    const nodes: RunningPostgresNode[] = [];
    const outcome = await runTest(
      config,
      { phase: () => {}, log: () => {} },
      {
        onStarted: (_w, running) => {
          for (const n of running.nodes.values()) nodes.push(n as RunningPostgresNode);
        },
      },
    );

    // Well formed: parses, and every invoke pairs with at most one completion on its process.
    const history = parseHistory(readFileSync(outcome.folder.history, "utf8"), { fileName: "history.jsonl" });
    expect(history.length).toBe(outcome.opCount);
    expect(() => pairOps(history)).not.toThrow();
    const clientOps = history.filter((o) => o.process !== NEMESIS);
    expect(clientOps.filter((o) => o.type === "ok").length).toBeGreaterThan(200);
    for (const region of ["us-east", "eu-west"])
      expect(clientOps.some((o) => o.region === region)).toBe(true);
    // The replication link was cut and healed, as nemesis ops with a start and a stop.
    const nemesis = history.filter((o) => o.process === NEMESIS);
    expect(nemesis.filter((o) => o.phase === "start").length).toBeGreaterThanOrEqual(2);
    expect(nemesis.filter((o) => o.phase === "stop").length).toBe(
      nemesis.filter((o) => o.phase === "start").length,
    );

    // Negative control: stale reads on eu-west make the register non-linearizable.
    const results = outcome.results!;
    expect(results.valid).toBe(false);
    expect(results.anomalyTypes).toContain("nonlinearizable");
    const anomalies = results.checkers.linearizable.anomalies;
    expect(anomalies.length).toBeGreaterThan(0);
    // Reads from the async standby also break read-your-writes for eu-west's sessions.
    expect(results.checkers.session.valid).toBe(false);
    expect(results.anomalyTypes).toContain("read-your-writes");
    // At least one op the checker could not place is a read served by the eu-west standby.
    const failing = anomalies.map((a) => {
      const op = a.op as { id: number };
      return history.find((h) => h.index === op.id)!;
    });
    expect(
      failing.some((op) => op.f === "read" && op.region === "eu-west" && op.node === "pg-eu-west-1"),
    ).toBe(true);

    // Multi-region signals: per-region latency, and replication lag that grew while the link was cut.
    const signals = results.signals as {
      regions: Record<string, { ops: number; latencyMs: { p50: number } }>;
      replicationLagMs: Record<string, { samples: number; max: number }>;
    };
    expect(Object.keys(signals.regions).sort()).toEqual(["eu-west", "us-east"]);
    expect(signals.regions["eu-west"].latencyMs.p50).toBeGreaterThan(0);
    expect(signals.replicationLagMs["us-east->eu-west"].samples).toBeGreaterThanOrEqual(2);
    expect(signals.replicationLagMs["us-east->eu-west"].max).toBeGreaterThan(1000);

    // The SLO: replication lag broke its objective; latency did not.
    expect(results.anomalyTypes).toContain("slo-violation");
    const slo = results.checkers.slo.anomalies;
    expect(slo.length).toBeGreaterThan(0);
    expect(slo.every((a) => a.signal === "replicationLagMs")).toBe(true);

    // The run folder holds what DESIGN.md promises.
    for (const f of [
      "test.json",
      "history.jsonl",
      "results.json",
      "metrics.jsonl",
      "logs/pg-us-east-1.log",
      "logs/pg-eu-west-1.log",
    ]) {
      expect(existsSync(join(outcome.folder.dir, f)), f).toBe(true);
    }
    const test = JSON.parse(readFileSync(join(outcome.folder.dir, "test.json"), "utf8"));
    expect(test.seed).toBe(12345);
    expect(test.schedule.length).toBeGreaterThanOrEqual(2);

    // Clean shutdown: every postgres we started is gone, and its data dir too.
    expect(nodes.length).toBe(2);
    for (const n of nodes) {
      expect(n.pid).toBeUndefined();
      expect(existsSync(n.dataDir)).toBe(false);
    }
    const pids = [
      ...readFileSync(join(outcome.folder.dir, "logs/pg-us-east-1.log"), "utf8").matchAll(/\[(\d+)\]/g),
    ].map((m) => Number(m[1]));
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of new Set(pids)) expect(alive(pid)).toBe(false);
  }, 180_000);
});
