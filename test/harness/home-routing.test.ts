/**
 * Home-region routing: the key -> home rule (one place, shared with the stores' seeding), and the
 * Router's dns-split window that sends a seeded share of processes to the wrong region.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { homeRegion } from "../../harness/scenarios/home-region.ts";
import { DnsSplitFault, dnsSplitFault } from "../../harness/nemesis/faults/dns-split.ts";
import { Router } from "../../harness/nemesis/router.ts";
import type { FaultContext } from "../../harness/nemesis/fault.ts";

const REGIONS = ["us-east", "eu-west"];

describe("home regions", () => {
  it("deals keys round-robin over the regions, negative keys included", () => {
    expect([0, 1, 2, 3].map((k) => homeRegion(k, REGIONS))).toEqual([
      "us-east",
      "eu-west",
      "us-east",
      "eu-west",
    ]);
    expect(homeRegion(-1, REGIONS)).toBe("eu-west");
    expect(() => homeRegion(1.5, REGIONS)).toThrow(/integer/);
    expect(() => homeRegion(1, [])).toThrow(/no regions/);
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 5 }),
        (k, rs) => rs.includes(homeRegion(k, rs)),
      ),
    );
  });
});

describe("Router home routing", () => {
  it("sends writes home, except a seeded share during a dns-split window, then converges", () => {
    let now = 0;
    const r = new Router({ primary: "a", seed: 5, now: () => now });
    const processes = Array.from({ length: 200 }, (_, i) => i);
    expect(processes.every((p) => r.homeTarget(p, "us-east", REGIONS) === "us-east")).toBe(true);

    r.splitHomes(["us-east"], 1000, 0.5);
    const wrong = processes.filter((p) => r.homeTarget(p, "us-east", REGIONS) === "eu-west");
    expect(wrong.length).toBeGreaterThan(60);
    expect(wrong.length).toBeLessThan(140);
    // Keys of a home not in the split are untouched; the same processes lag every time (replay).
    expect(processes.every((p) => r.homeTarget(p, "eu-west", REGIONS) === "eu-west")).toBe(true);
    expect(processes.filter((p) => r.homeTarget(p, "us-east", REGIONS) === "eu-west")).toEqual(wrong);

    now = 1000; // the window is over
    expect(processes.every((p) => r.homeTarget(p, "us-east", REGIONS) === "us-east")).toBe(true);
    r.splitHomes(REGIONS, 10_000, 1);
    expect(r.homeTarget(0, "eu-west", REGIONS)).toBe("us-east");
    r.convergeHomes();
    expect(r.homeTarget(0, "eu-west", REGIONS)).toBe("eu-west");
    expect(() => r.splitHomes(REGIONS, 10, 1.5)).toThrow(/splitFraction/);
  });

  it("the dns-split fault opens the window on the run's router and its stop converges it", async () => {
    const router = new Router({ primary: "a", seed: 1 });
    const fault = new DnsSplitFault({
      kind: "dns-split",
      homes: REGIONS,
      windowMs: 60_000,
      splitFraction: 1,
    });
    const ctx = { router } as unknown as FaultContext;
    expect(await fault.start(ctx)).toMatch(
      /100% of processes write keys homed in us-east, eu-west to the wrong region/,
    );
    expect(router.homeTarget(3, "us-east", REGIONS)).toBe("eu-west");
    await fault.stop(ctx);
    expect(router.homeTarget(3, "us-east", REGIONS)).toBe("us-east");
    // A spec naming an unknown region is refused, naming the field.
    const topology = { regions: REGIONS.map((name) => ({ name })), nodes: [], links: [], latency: {} };
    expect(
      dnsSplitFault.checkSpec(
        { kind: "dns-split", homes: ["mars"], windowMs: 1, splitFraction: 0.5 },
        topology,
      ),
    ).toEqual([{ field: "homes", message: "no region 'mars' (regions: us-east, eu-west)" }]);
  });
});
