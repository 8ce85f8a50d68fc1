import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planSchedule } from "../../harness/nemesis/schedule.ts";
import { NemesisConfigError, validateNemeses } from "../../harness/nemesis/catalog.ts";
import { checkShape } from "../../harness/nemesis/shapes.ts";
import { peerTopology, primaryReplicaTopology } from "./fixtures.ts";

const pg = primaryReplicaTopology(["us-east", "eu-west"]);
const etcd = peerTopology(["us-east", "eu-west", "ap-south"]);
const withFaketime = { libfaketime: "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1" };
const ALL = ["partition", "latency", "bandwidth", "clock", "kill", "pause", "failover"];

const base = { intervalMs: 5000, timeLimitMs: 60_000, env: withFaketime };

describe("planSchedule", () => {
  it("same seed, same schedule (as JSON); different seeds differ", () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (s1, s2) => {
        fc.pre(s1 !== s2);
        const a = planSchedule({ ...base, seed: s1, nemeses: ALL, topology: pg });
        const b = planSchedule({ ...base, seed: s1, nemeses: ALL, topology: pg });
        const c = planSchedule({ ...base, seed: s2, nemeses: ALL, topology: pg });
        expect(JSON.stringify(a)).toBe(JSON.stringify(b));
        expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
      }),
      { numRuns: 200 },
    );
  });

  it("even a single nemesis kind gives different schedules for different seeds", () => {
    const a = planSchedule({ ...base, seed: 1, nemeses: ["kill"], topology: pg });
    const b = planSchedule({ ...base, seed: 2, nemeses: ["kill"], topology: pg });
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
  });

  it("faults stay inside the time limit, after warm-up, and never overlap", () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.integer({ min: 500, max: 10_000 }),
        fc.integer({ min: 1_000, max: 120_000 }),
        (seed, intervalMs, timeLimitMs) => {
          const s = planSchedule({
            seed,
            intervalMs,
            timeLimitMs,
            nemeses: ALL,
            topology: pg,
            env: withFaketime,
          });
          let lastEnd = Math.min(intervalMs, timeLimitMs / 10) - 1;
          for (const f of s) {
            expect(f.atMs).toBeGreaterThan(lastEnd);
            expect(f.atMs + f.durationMs).toBeLessThanOrEqual(timeLimitMs);
            lastEnd = f.atMs + f.durationMs;
          }
        },
      ),
    );
  });

  it("every planned partition fits the topology, and failover happens at most once", () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        for (const topology of [pg, etcd]) {
          const nemeses = topology === pg ? ALL : ALL.filter((n) => n !== "failover");
          const s = planSchedule({ ...base, seed, nemeses, topology });
          for (const f of s)
            if (f.spec.kind === "partition") expect(checkShape(topology, f.spec)).toBeUndefined();
          expect(s.filter((f) => f.spec.kind === "failover").length).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 50 },
    );
  });

  it("round-trips through JSON unchanged (it is what test.json records)", () => {
    const s = planSchedule({ ...base, seed: 5, nemeses: ["partition", "clock"], topology: pg });
    expect(s.length).toBeGreaterThan(5);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(new Set(s.map((f) => f.spec.kind))).toEqual(new Set(["partition", "clock"]));
  });

  it("partition-<shape> pins the shape; partition-replication means partial", () => {
    const s = planSchedule({ ...base, seed: 3, nemeses: ["partition-replication"], topology: pg });
    expect(s.every((f) => f.spec.kind === "partition" && f.spec.shape === "partial")).toBe(true);
    const r = planSchedule({ ...base, seed: 3, nemeses: ["partition-majorities-ring"], topology: etcd });
    expect(r.every((f) => f.spec.kind === "partition" && f.spec.shape === "majorities-ring")).toBe(true);
  });

  it("rejects a duration longer than the interval", () => {
    expect(() =>
      planSchedule({ ...base, faultDurationMs: 6000, seed: 1, nemeses: ["kill"], topology: pg }),
    ).toThrow(/at most the nemesis interval/);
  });
});

describe("validateNemeses: bad input, clear errors before anything starts", () => {
  it("unknown name, with a suggestion and the known list", () => {
    expect(() => validateNemeses(["partiton"], pg, withFaketime)).toThrow(
      /unknown nemesis 'partiton' \(did you mean 'partition'\?\) \(known: partition, latency, bandwidth, clock, kill, pause, failover/,
    );
  });

  it("a shape that needs more regions or nodes than the scenario has", () => {
    const one = primaryReplicaTopology(["us-east"]);
    expect(() => validateNemeses(["partition-isolate-region"], one, withFaketime)).toThrow(
      /'isolate-region' needs at least 2 regions, but the scenario has 1 \(us-east\)/,
    );
    expect(() => validateNemeses(["partition-majorities-ring"], pg, withFaketime)).toThrow(
      /at least 3 nodes/,
    );
    expect(() => validateNemeses(["latency"], one, withFaketime)).toThrow(/two regions/);
  });

  it("clock without libfaketime", () => {
    expect(() => validateNemeses(["clock"], pg, { libfaketime: undefined })).toThrow(
      /needs libfaketime.*apt-get install libfaketime/,
    );
  });

  it("failover without a replica; every problem reported at once", () => {
    try {
      validateNemeses(["failover", "bogus"], etcd, withFaketime);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NemesisConfigError);
      expect(String(e)).toMatch(/failover' needs a primary and a replica/);
      expect(String(e)).toMatch(/unknown nemesis 'bogus'/);
    }
  });
});
