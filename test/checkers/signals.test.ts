import { describe, expect, it } from "vitest";
import type { History, Op } from "../../checkers/history/op.ts";
import { computeSignals } from "../../checkers/signals.ts";

let index = 0;
const op = (o: Partial<Op>): Op =>
  ({ index: index++, type: "ok", process: 0, f: "read", value: null, ...o }) as Op;
const ms = (x: number) => x * 1e6;

describe("multi-region signals", () => {
  it("computes per-region latency percentiles and error rates from invoke/complete pairs", () => {
    const h: History = [];
    for (let i = 0; i < 10; i++) {
      h.push(op({ type: "invoke", process: i, region: "eu-west", time: ms(i * 100) }));
      h.push(
        op({ type: i < 8 ? "ok" : "info", process: i, region: "eu-west", time: ms(i * 100 + 10 * (i + 1)) }),
      );
    }
    h.push(op({ type: "invoke", process: 99, region: "us-east", time: ms(0) }));
    h.push(op({ type: "fail", process: 99, region: "us-east", time: ms(5) }));
    const s = computeSignals(h);
    expect(s.regions["eu-west"]).toMatchObject({ ops: 10, ok: 8, info: 2, fail: 0, errorRate: 0.2 });
    expect(s.regions["eu-west"].latencyMs).toEqual({ p50: 50, p95: 100, p99: 100, max: 100 });
    expect(s.regions["us-east"]).toMatchObject({ ops: 1, fail: 1, errorRate: 1 });
  });

  it("summarises replication lag by region pair from lag metrics", () => {
    const metrics = [10, 20, 30, 4000].map((v) => ({ kind: "lag", from: "us-east", to: "eu-west", ms: v }));
    const s = computeSignals([], [...metrics, { kind: "other", ms: 1 }]);
    expect(s.replicationLagMs).toEqual({ "us-east->eu-west": { samples: 4, p50: 20, p95: 4000, max: 4000 } });
  });

  it("measures failover time from the fault's planned start to the first write acknowledged by the new primary", () => {
    const h: History = [
      op({
        type: "info",
        process: "nemesis",
        f: "failover",
        phase: "start",
        plannedMs: 1000,
        time: ms(1300),
        spec: { to: "pg-eu-west-1" },
      }),
      op({ type: "invoke", process: 1, f: "write", node: "pg-eu-west-1", time: ms(1400) }),
      op({ type: "ok", process: 1, f: "write", node: "pg-eu-west-1", time: ms(1750) }),
    ];
    expect(computeSignals(h).failover).toEqual([
      { to: "pg-eu-west-1", startedAtMs: 1000, firstWriteAfterMs: 750 },
    ]);
  });
});
