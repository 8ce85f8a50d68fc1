/**
 * Read policies before anything starts: `--reads` picks a scenario's variant for that policy (and
 * its expectation) or overrides the routing; a policy the layout cannot honour is refused with the
 * reason; the region-switch router moves a seeded share of sessions and brings them back.
 */
import { describe, expect, it } from "vitest";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { Router } from "../../harness/nemesis/router.ts";
import { configFromFlags } from "../../harness/cli/run-command.ts";
import { planRun } from "../../harness/run/runner.ts";

const base = (scenario: string, extra: Record<string, unknown> = {}) =>
  validateConfig({ ...DEFAULTS, name: "t", scenario, seed: 1, store: "/tmp/unused", ...extra });

describe("read policies", () => {
  it("--reads on pg-async-replica runs the pg-reads-* variant with its own expectation", () => {
    for (const p of ["local", "pinned", "primary"]) {
      const c = configFromFlags("pg-async-replica", { reads: p, seed: 1 });
      expect(c.scenario).toBe(`pg-reads-${p}`);
      expect(c.reads).toBe(p);
      expect(planRun(c).scenario.routing.reads).toBe(p);
    }
    expect(() => configFromFlags("pg-async-replica", { reads: "quorum" })).toThrow(
      /--reads 'quorum': expected one of local, pinned, primary/,
    );
  });

  it("--reads elsewhere overrides the scenario's read routing", () => {
    expect(planRun(base("pg-failover", { reads: "local" })).scenario.routing.reads).toBe("local");
  });

  it("refuses pinned where a WAL position cannot order reads (multi-writer), with the reason", () => {
    expect(() => planRun(base("pg-multi-writer", { reads: "pinned" }))).toThrow(
      /reads 'pinned' need a session token .*layout 'multi-writer' has a WAL per writer/,
    );
  });

  it("refuses primary where every region's node takes writes, with the reason", () => {
    expect(() => planRun(base("pg-multi-writer", { reads: "primary" }))).toThrow(
      /reads 'primary' need one node that takes every write of a key/,
    );
  });

  it("refuses pinned for a workload whose client keeps no token, and on a store that keeps none", () => {
    expect(() => planRun(base("pg-failover", { reads: "pinned" }))).toThrow(
      /client of workload 'set' keeps no session token/,
    );
    expect(() => planRun(base("etcd-3-region", { reads: "pinned" }))).toThrow(
      /store etcd keeps no session tokens/,
    );
  });
});

describe("region switch routing", () => {
  it("moves a seeded share of each region's sessions to the next region for the window", () => {
    let now = 0;
    const r = new Router({ primary: "a", seed: 7, now: () => now });
    const regions = ["us-east", "eu-west"];
    const procs = Array.from({ length: 200 }, (_, i) => i);
    expect(procs.every((p) => r.regionOf(p, "us-east") === "us-east")).toBe(true);
    r.switchRegions(regions, 1000, 0.5);
    const moved = procs.filter((p) => r.regionOf(p, "us-east") === "eu-west");
    expect(moved.length).toBeGreaterThan(60);
    expect(moved.length).toBeLessThan(140);
    // the same sessions move from eu-west to us-east (seeded by process, replayable)
    expect(procs.filter((p) => r.regionOf(p, "eu-west") === "us-east")).toEqual(moved);
    now = 1001;
    expect(procs.every((p) => r.regionOf(p, "us-east") === "us-east")).toBe(true);
    r.switchRegions(regions, 1000, 1);
    expect(r.regionOf(3, "us-east")).toBe("eu-west");
    r.endRegionSwitch();
    expect(r.regionOf(3, "us-east")).toBe("us-east");
    expect(r.changes.map((c) => c.what)).toContain("sessions back in their home regions");
    expect(() => r.switchRegions(regions, 10, 1.5)).toThrow(/fraction must be within/);
  });
});
