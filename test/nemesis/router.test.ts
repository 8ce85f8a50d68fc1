import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Router } from "../../harness/nemesis/router.ts";
import { primaryReplicaTopology } from "./fixtures.ts";

describe("Router", () => {
  const topology = primaryReplicaTopology(["us-east", "eu-west"]);

  it("writes go to the primary, reads to the local node", () => {
    const r = Router.forTopology(topology, 1, () => 0);
    expect(r.writeTarget(3, "eu-west")).toBe("pg-us-east-1");
    expect(r.readTarget(3, "eu-west")).toBe("pg-eu-west-1");
    expect(r.readTarget(3, "us-east")).toBe("pg-us-east-1");
  });

  it("during the failover window about splitFraction of processes still write to the old primary; after it, none", () => {
    fc.assert(
      fc.property(fc.nat(), fc.double({ min: 0.2, max: 0.8, noNaN: true }), (seed, fraction) => {
        let now = 1000;
        const r = Router.forTopology(topology, seed, () => now);
        r.failover("pg-eu-west-1", 500, fraction);
        const procs = Array.from({ length: 400 }, (_, p) => p);
        const stale = procs.filter((p) => r.writeTarget(p, "us-east") === "pg-us-east-1").length;
        expect(stale / procs.length).toBeGreaterThan(fraction - 0.12);
        expect(stale / procs.length).toBeLessThan(fraction + 0.12);
        // The same processes lag every time they ask (routing is sticky, like a DNS cache).
        const again = procs.filter((p) => r.writeTarget(p, "us-east") === "pg-us-east-1").length;
        expect(again).toBe(stale);
        now = 1500;
        expect(procs.every((p) => r.writeTarget(p, "us-east") === "pg-eu-west-1")).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it("the lagging processes depend on the seed only (a replay routes the same way)", () => {
    const lagging = (seed: number) => {
      const r = Router.forTopology(topology, seed, () => 0);
      r.failover("pg-eu-west-1", 1000, 0.5);
      return Array.from({ length: 50 }, (_, p) => p).filter((p) => r.isLagging(p));
    };
    expect(lagging(7)).toEqual(lagging(7));
    expect(lagging(7)).not.toEqual(lagging(8));
  });

  it("converge ends the window at once", () => {
    const r = Router.forTopology(topology, 3, () => 0);
    r.failover("pg-eu-west-1", 60_000, 1);
    expect(r.writeTarget(0, "us-east")).toBe("pg-us-east-1");
    r.converge();
    expect(r.writeTarget(0, "us-east")).toBe("pg-eu-west-1");
    expect(r.changes.map((c) => c.what)).toEqual([
      "writes pg-us-east-1 -> pg-eu-west-1, split for 60000 ms",
      "routing converged on pg-eu-west-1",
    ]);
  });
});
