/**
 * The active-active scenarios as data: `faultline scenarios` lists each with its layout in the
 * seeds' words and its expectation (pg-geo-partitioned's under dns-split too); their own nemeses
 * plan schedules that replay (test.json's schedule parsed back), and a bad replayed spec is named.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { parseSchedule } from "../../harness/nemesis/spec-schema.ts";
import { planRun } from "../../harness/run/runner.ts";

const NAMES = ["pg-multi-writer", "pg-multi-writer-lww", "pg-multi-writer-crdt", "pg-geo-partitioned"];

describe("active-active scenarios", () => {
  it("are listed by `faultline scenarios` with layout and expectation", () => {
    const out = execFileSync("node", ["bin/faultline.mjs", "scenarios", "--json"], { encoding: "utf8" });
    const rows = JSON.parse(out) as {
      name: string;
      layout: string;
      expected: string;
      expectedValid: boolean;
      implemented: boolean;
      expectedUnder: Record<string, { expectedValid: boolean }>;
    }[];
    const byName = new Map(rows.map((r) => [r.name, r]));
    for (const n of NAMES) expect(byName.get(n)?.implemented).toBe(true);
    expect(byName.get("pg-multi-writer")!.layout).toMatch(
      /^multi-writer: every region writes; bidirectional logical replication/,
    );
    expect(byName.get("pg-multi-writer")!.expectedValid).toBe(false);
    expect(byName.get("pg-multi-writer-lww")!.layout).toMatch(/last-writer-wins/);
    expect(byName.get("pg-multi-writer-crdt")!.expectedValid).toBe(true);
    const geo = byName.get("pg-geo-partitioned")!;
    expect(geo.layout).toMatch(/^geo-partitioned: home-region ownership/);
    expect(geo.expectedValid).toBe(true);
    expect(geo.expectedUnder["dns-split"]!.expectedValid).toBe(false);
  });

  it("their own nemeses plan schedules that replay as they are", () => {
    const config = (scenario: string, nemesis: string[]) =>
      validateConfig({
        ...DEFAULTS,
        name: "t",
        scenario,
        seed: 4,
        store: "/tmp/x",
        timeLimitS: 20,
        nemesis,
        faultDurationS: 8,
      });
    const geo = planRun(config("pg-geo-partitioned", ["dns-split"]));
    expect(geo.schedule).toEqual([
      {
        atMs: 6667,
        durationMs: 8000,
        spec: { kind: "dns-split", homes: ["us-east", "eu-west"], windowMs: 8000, splitFraction: 0.5 },
      },
    ]);
    expect(parseSchedule(JSON.parse(JSON.stringify(geo.schedule)), geo.topology)).toEqual(geo.schedule);
    const mw = planRun(config("pg-multi-writer", ["write-apart"]));
    expect(mw.schedule).toEqual([
      {
        atMs: 8000,
        durationMs: 12000,
        spec: { kind: "partition", mechanism: "blackhole", shape: "partial", region: "us-east" },
      },
    ]);
    const backlog = planRun(config("pg-multi-writer-crdt", ["replication-backlog"]));
    expect(backlog.schedule[0]!.spec).toEqual({
      kind: "replication-backlog",
      links: ["pg-us-east-1->pg-eu-west-1", "pg-eu-west-1->pg-us-east-1"],
      rateKBps: 2,
    });
    expect(() =>
      parseSchedule(
        [
          {
            atMs: 0,
            durationMs: 1,
            spec: { kind: "dns-split", homes: ["mars"], windowMs: 1, splitFraction: 0.5 },
          },
        ],
        geo.topology,
      ),
    ).toThrow(/homes.*no region 'mars'/);
  });
});
