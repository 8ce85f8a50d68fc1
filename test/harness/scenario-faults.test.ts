/**
 * Scenarios list the faults their layout can take: a two-region layout is not offered shapes that
 * need three regions, and every fault name the README offers can be used by some built scenario.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { supportedNemesesOf } from "../../harness/scenarios/scenario-faults.ts";
import { scenarios } from "../../harness/scenarios/index.ts";

describe("faults per scenario", () => {
  it("a two-region scenario is not offered three-region partition shapes", async () => {
    const faults = await supportedNemesesOf("pg-async-replica");
    expect(faults).toEqual(expect.arrayContaining(["partition", "partition-isolate-region", "latency"]));
    expect(faults).not.toContain("partition-majorities-ring");
    expect(faults).not.toContain("partition-bridge");
  });

  it("every fault the README offers is usable by some built scenario", async () => {
    const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
    const line = readme.slice(
      readme.indexOf("Faults: `--nemesis"),
      readme.indexOf("Faults: `--nemesis") + 400,
    );
    const offered = [...line.matchAll(/`(partition-[a-z-]+)`/g)].map((m) => m[1]);
    expect(offered.length).toBeGreaterThan(0);
    const usable = new Set<string>();
    for (const s of scenarios.filter((x) => x.implemented)) {
      for (const f of await supportedNemesesOf(s.name).catch(() => [])) usable.add(f);
    }
    for (const f of offered.filter((f) => f !== "partition-replication")) expect(usable).toContain(f);
  });
});
