/**
 * Last-writer-wins under clock skew on real PostgreSQL multi-writer nodes (bidirectional logical
 * replication), 20 s runs: with eu-west's clock 2 s ahead (libfaketime), later acknowledged writes
 * are dropped for earlier ones and each is explained with both writes' real times and stamps;
 * with the clocks agreeing, none is. Heavy: run alone.
 */
import { afterAll, describe, expect, it } from "vitest";
import { findLibfaketime } from "../../harness/clock/faketime.ts";
import { CLOCK_AHEAD_MS } from "../../harness/scenarios/pg-lww-clock.ts";
import { requirement } from "../support/requirements.ts";
import { runScenario } from "../support/run-scenario.ts";

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const haveFaketime = requirement(
  "libfaketime",
  findLibfaketime() !== undefined,
  "apt-get install -y libfaketime",
);

describe.runIf(haveFaketime)("last-writer-wins and clocks", () => {
  it("a fast clock: later acknowledged writes lost to earlier ones, with real times and stamps", async () => {
    const { outcome, cleanup } = await runScenario("pg-lww-clock-skew", { timeLimitS: 20 });
    cleanups.push(cleanup);
    const c = outcome.results!.checkers["lww-clock"]!;
    expect(c.valid).toBe(false);
    expect(c.anomalyTypes).toEqual(["lost-write"]);
    for (const a of c.anomalies) {
      // the winner's stamp was ahead by about the skew, although it happened first
      expect(a.stampSkewMs as number).toBeGreaterThan(0);
      expect(a.stampSkewMs as number).toBeLessThanOrEqual(CLOCK_AHEAD_MS + 200);
      expect(a.realGapMs as number).toBeGreaterThan(0);
      expect(a.explanation).toMatch(/stamped .* in favour of the write of .* on pg-eu-west-1/);
    }
  }, 150_000);

  it("agreeing clocks: concurrent writes are dropped, never a later one", async () => {
    const { outcome, cleanup } = await runScenario("pg-lww-clock-sync", { timeLimitS: 20 });
    cleanups.push(cleanup);
    const r = outcome.results!;
    expect(r.checkers["lww-clock"]!.valid).toBe(true);
    expect(Number(r.checkers["lww-clock"]!.stats!.judged)).toBeGreaterThan(0);
    expect(r.valid).toBe(true);
  }, 150_000);
});
