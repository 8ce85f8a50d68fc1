import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { parseSchedule } from "../../harness/nemesis/spec-schema.ts";
import { planRun } from "../../harness/run/runner.ts";
import { pgFailover, REGION_FAILOVER } from "../../harness/scenarios/pg-failover.ts";

const configFor = (over: Record<string, unknown> = {}) =>
  validateConfig({
    ...DEFAULTS,
    ...pgFailover.defaults,
    name: "plan",
    scenario: "pg-failover",
    seed: 1,
    ...over,
  });

describe("pg-failover's region-failover nemesis", () => {
  it("cuts the primary's region off, then fails over inside the cut, all before the time limit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 4, max: 120 }),
        (seed, timeLimitS) => {
          const config = configFor({
            seed,
            timeLimitS,
            faultDurationS: Math.max(1, Math.floor(timeLimitS / 2)),
          });
          const { schedule } = planRun(config);
          expect(schedule.map((f) => f.spec.kind)).toEqual(["partition", "failover"]);
          const [cut, failover] = schedule as [(typeof schedule)[0], (typeof schedule)[0]];
          expect(cut.spec).toMatchObject({ shape: "partial", region: "us-east", mechanism: "blackhole" });
          expect(failover.spec).toMatchObject({
            from: "pg-us-east-1",
            to: "pg-eu-west-1",
            splitFraction: 0.5,
          });
          expect(failover.atMs).toBeGreaterThan(cut.atMs);
          expect(failover.atMs + failover.durationMs).toBeLessThanOrEqual(cut.atMs + cut.durationMs);
          expect(cut.atMs + cut.durationMs).toBeLessThanOrEqual(timeLimitS * 1000);
          // What test.json records replays as is.
          expect(parseSchedule(JSON.parse(JSON.stringify(schedule)), planRun(config).topology)).toEqual(
            schedule,
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it("is seeded: same seed, same schedule; seeds differ somewhere", () => {
    expect(planRun(configFor({ seed: 9 })).schedule).toEqual(planRun(configFor({ seed: 9 })).schedule);
    const all = new Set(
      [1, 2, 3, 4, 5, 6].map((seed) => JSON.stringify(planRun(configFor({ seed })).schedule)),
    );
    expect(all.size).toBeGreaterThan(1);
  });

  it("refuses a cut longer than the run, and mixing with other nemeses, before anything starts", () => {
    expect(() => planRun(configFor({ timeLimitS: 5, faultDurationS: 8 }))).toThrow(
      /must fit in the time limit.*--fault-duration/,
    );
    expect(() => planRun(configFor({ nemesis: [REGION_FAILOVER, "latency"] }))).toThrow(/runs alone/);
  });

  it("is only known to pg-failover", () => {
    expect(() =>
      planRun(
        validateConfig({
          ...DEFAULTS,
          name: "x",
          scenario: "pg-async-replica",
          seed: 1,
          nemesis: [REGION_FAILOVER],
        }),
      ),
    ).toThrow(/unknown nemesis 'region-failover'/);
  });
});
