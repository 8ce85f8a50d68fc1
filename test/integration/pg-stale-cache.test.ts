/**
 * The stale-cache controls on real PostgreSQL and a real Redis per region, 20 s runs: cache-aside
 * with a sliding TTL and no invalidation keeps serving values the primary (old, and new after the
 * primary moved to eu-west) overwrote, far past the TTL, each stale read's age in the report next
 * to the fault it happened under; with invalidation on write, no read is stale, across the same
 * move. Heavy: run alone.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Signals } from "../../checkers/signals.ts";
import { computeStaleness } from "../../checkers/staleness.ts";
import { findSystemBinary } from "../../harness/stores/system-binary.ts";
import { CACHE_TTL_MS } from "../../harness/scenarios/pg-stale-cache.ts";
import { writeReports } from "../../reports/write.ts";
import { requirement } from "../support/requirements.ts";
import { runScenario } from "../support/run-scenario.ts";

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const haveRedis = requirement(
  "redis-server (the cache tier)",
  findSystemBinary("redis-server") !== undefined,
  "apt-get install -y redis-server",
);

describe.runIf(haveRedis)("stale cache", () => {
  it("without invalidation: stale reads past the TTL, values the new primary overwrote among them", async () => {
    const { outcome, history, cleanup } = await runScenario("pg-stale-cache", { timeLimitS: 20 });
    cleanups.push(cleanup);
    const r = outcome.results!;
    expect(r.anomalyTypes).toContain("stale-read");
    const st = r.checkers.staleness!;
    expect(st.valid).toBe(false);
    expect(Number(st.stats!.beyondBound)).toBeGreaterThan(0);
    // Within the TTL is the stated cost: counted, not flagged.
    expect(Number(st.stats!.withinBound)).toBeGreaterThan(0);
    for (const a of st.anomalies) expect(a.staleMs as number).toBeGreaterThan(CACHE_TTL_MS);
    // The primary moved; after it, reads still returned values writes on the new primary replaced.
    const failover = history.find(
      (o) => o.process === "nemesis" && o.f === "failover" && o.phase === "start",
    );
    expect(failover).toBeDefined();
    const writesOnNew = history.filter(
      (o) => o.type === "ok" && o.f !== "read" && o.node === "pg-eu-west-1" && o.time! > failover!.time!,
    );
    const afterMove = computeStaleness(history).staleReads.filter(
      (x) =>
        x.read.time! > failover!.time! &&
        x.staleMs! > CACHE_TTL_MS &&
        writesOnNew.some((w) => w.key === x.key && w.time! < x.read.time! && w.value !== x.value),
    );
    expect(afterMove.length).toBeGreaterThan(0);
    const s = r.signals as Signals;
    for (const region of ["us-east", "eu-west"])
      expect(s.staleness![region]!.staleMs.max).toBeGreaterThan(CACHE_TTL_MS);

    await writeReports(outcome.folder.dir);
    const html = readFileSync(join(outcome.folder.dir, "report.html"), "utf8");
    expect(html).toMatch(/stale by \d+(\.\d+)? ms/);
    expect(html).toMatch(/failover/);
  }, 120_000);

  it("with invalidation on write: no stale reads, across the primary's move", async () => {
    const { outcome, history, cleanup } = await runScenario("pg-stale-cache-invalidate", { timeLimitS: 20 });
    cleanups.push(cleanup);
    const r = outcome.results!;
    expect(r.valid).toBe(true);
    // The primary moved (a fenced switchover): the new primary took writes, the old one is out.
    const start = history.find((o) => o.process === "nemesis" && o.f === "failover" && o.phase === "start");
    expect(start?.error).toBeUndefined();
    expect(history.some((o) => o.type === "ok" && o.f === "write" && o.node === "pg-eu-west-1")).toBe(true);
    expect(r.checkers.divergence!.valid).toBe(true);
    expect(r.checkers.staleness!.stats!.stale).toBe(0);
    expect(r.checkers.staleness!.stats!.reads as number).toBeGreaterThan(200);
  }, 120_000);
});
