import { describe, expect, it } from "vitest";
import type { Signals } from "../../checkers/signals.ts";
import { checkSlo } from "../../checkers/slo.ts";

const signals: Signals = {
  regions: {
    "us-east": {
      ops: 100,
      ok: 99,
      fail: 1,
      info: 0,
      errorRate: 0.01,
      latencyMs: { p50: 2, p95: 5, p99: 9, max: 20 },
    },
    "eu-west": {
      ops: 100,
      ok: 80,
      fail: 10,
      info: 10,
      errorRate: 0.2,
      latencyMs: { p50: 90, p95: 400, p99: 800, max: 2000 },
    },
  },
  replicationLagMs: { "us-east->eu-west": { samples: 20, p50: 45, p95: 3000, max: 3900 } },
  failover: [{ to: "pg-eu-west-1", startedAtMs: 5000, firstWriteAfterMs: 1200 }],
};

describe("SLO thresholds", () => {
  it("passes when every signal is within its objective", () => {
    const r = checkSlo(signals, {
      p99LatencyMs: 1000,
      maxErrorRate: 0.5,
      maxReplicationLagMs: 5000,
      maxFailoverMs: 2000,
    });
    expect(r.valid).toBe(true);
    expect(r.anomalyTypes).toEqual([]);
  });

  it("names each signal over its objective, with region or pair, measured value and threshold", () => {
    const r = checkSlo(signals, {
      p99LatencyMs: 500,
      maxErrorRate: 0.1,
      maxReplicationLagMs: 1000,
      maxFailoverMs: 1000,
    });
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(["slo-violation"]);
    expect(r.anomalies.map((a) => a.signal)).toEqual([
      "p99LatencyMs",
      "errorRate",
      "replicationLagMs",
      "failoverMs",
    ]);
    expect(r.anomalies[0]).toMatchObject({ region: "eu-west", measured: 800, threshold: 500 });
    expect(r.anomalies[0].explanation).toBe("eu-west: p99 latency 800 ms exceeds the SLO of 500 ms");
  });

  it("treats a failover that never took a write as a violation", () => {
    const r = checkSlo(
      { regions: {}, failover: [{ to: "n2", startedAtMs: 0, firstWriteAfterMs: null }] },
      { maxFailoverMs: 10_000 },
    );
    expect(r.anomalies[0].explanation).toBe("failover to n2 never took a write, over the SLO of 10000 ms");
  });
});
