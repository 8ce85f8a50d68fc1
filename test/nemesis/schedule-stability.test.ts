/**
 * The same seed plans the same schedule as faultline always has, byte for byte: the expected
 * values below were produced by the planner before faults moved into the registry (one
 * definition per kind), so a change to planning order or to a spec's JSON shape shows here.
 * (Replays use the recorded schedule; this keeps `--seed N` meaning the same run across versions.)
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { planSchedule } from "../../harness/nemesis/schedule.ts";
import { peerTopology, primaryReplicaTopology } from "./fixtures.ts";

const env = { libfaketime: "/x" };

describe("planSchedule is stable across versions", () => {
  it("seed 9, every built-in kind on three PostgreSQL regions", () => {
    const s = planSchedule({
      seed: 9,
      nemeses: ["partition", "latency", "bandwidth", "clock", "kill", "pause", "failover"],
      intervalMs: 5000,
      timeLimitMs: 40_000,
      topology: primaryReplicaTopology(["us-east", "eu-west", "ap-south"]),
      env,
    });
    expect(JSON.stringify(s)).toBe(
      '[{"atMs":4446,"durationMs":2500,"spec":{"kind":"partition","mechanism":"blackhole","shape":"partial","region":"eu-west"}},{"atMs":9036,"durationMs":2500,"spec":{"kind":"partition","mechanism":"blackhole","shape":"majority-minority","minority":["pg-us-east-1"]}},{"atMs":14315,"durationMs":2500,"spec":{"kind":"bandwidth","regions":["us-east","ap-south"],"rateKBps":8}},{"atMs":19545,"durationMs":2500,"spec":{"kind":"latency","regions":["eu-west","us-east"],"latencyMs":193,"jitterMs":19}},{"atMs":24148,"durationMs":2500,"spec":{"kind":"failover","from":"pg-us-east-1","to":"pg-ap-south-1","windowMs":833,"splitFraction":0.5}},{"atMs":29248,"durationMs":2500,"spec":{"kind":"bandwidth","regions":["ap-south","us-east"],"rateKBps":128}},{"atMs":34140,"durationMs":2500,"spec":{"kind":"pause","node":"pg-eu-west-1"}}]',
    );
  });

  it("560 schedules over topologies, names (aliases, pinned shapes), seeds and knobs hash as before", () => {
    const topologies = [
      primaryReplicaTopology(["us-east", "eu-west"]),
      primaryReplicaTopology(["us-east", "eu-west", "ap-south"]),
      peerTopology(["a", "b", "c"], 2),
    ];
    const nemeses = [
      ["partition", "latency", "bandwidth", "clock", "kill", "pause"],
      ["partition-majorities-ring", "skew", "crash", "partition-replication"],
      ["failover", "partition", "latency"],
    ];
    const knobs = [
      {},
      {
        mechanism: "refuse" as const,
        maxClockSkewMs: 500,
        latencySpikeMs: 40,
        failoverWindowMs: 77,
        faultDurationMs: 900,
        warmupMs: 3,
      },
    ];
    const h = createHash("sha256");
    let planned = 0;
    for (const topology of topologies)
      for (const names of nemeses)
        for (let seed = 0; seed < 40; seed++)
          for (const extra of knobs) {
            try {
              const s = planSchedule({
                seed,
                nemeses: names,
                intervalMs: 2000,
                timeLimitMs: 40_000,
                topology,
                env,
                ...extra,
              });
              h.update(JSON.stringify(s));
              planned++;
            } catch {
              h.update("refused");
            }
          }
    expect(planned).toBe(560);
    expect(h.digest("hex")).toBe("1f8f3d1769d85334e42fc5adc67a7938d278a461df4727cfcacaaebb1771b3de");
  });
});
