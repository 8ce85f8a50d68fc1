/**
 * pg-geo-partitioned end to end on real PostgreSQL 18: every key has a home region, writes go to
 * the home's node (across regions when remote), reads are local.
 * - Positive control under the default faults: each key is linearizable at its home (no lost
 *   writes), no divergence, no conflict; stale local reads of remote keys are listed as the
 *   expected cost, not failing the run.
 * - Under `dns-split` (a negative control): during the window half the processes write keys to
 *   the wrong region; PostgreSQL counts conflicts, acknowledged writes are lost at their home, and
 *   every misrouted write falls inside the window.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NEMESIS } from "../../checkers/history/op.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { runTest } from "../../harness/run/runner.ts";

const store = mkdtempSync(join(tmpdir(), "faultline-geo-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

const run = (nemesis?: string[]) =>
  runTest(
    validateConfig({
      ...DEFAULTS,
      name: "it-geo",
      scenario: "pg-geo-partitioned",
      seed: 1,
      store,
      timeLimitS: 20,
      ...(nemesis ? { nemesis, faultDurationS: 8 } : {}),
    }),
    { phase: () => {}, log: () => {} },
  );

describe("pg-geo-partitioned, end to end", () => {
  it("positive: no conflicts, no lost writes, no divergence; stale local reads are the expected cost", async () => {
    const outcome = await run();
    const results = outcome.results!;
    expect(results.valid).toBe(true);
    expect(results.checkers["home-linearizable"]!.valid).toBe(true);
    expect(results.checkers["home-linearizable"]!.stats!.keysWrittenOnSeveralNodes).toBe(0);
    expect(results.checkers.divergence!.valid).toBe(true);
    expect((results.signals.conflicts as { total: number }).total).toBe(0);
    // Writes went home: eu-west's clients wrote us-east's keys on us-east's node, and back.
    const history = parseHistory(readFileSync(outcome.folder.history, "utf8"), { fileName: "history.jsonl" });
    const writes = history.filter((o) => o.type === "ok" && (o.f === "write" || o.f === "cas"));
    expect(
      writes.every((o) => o.node === ((o.key as number) % 2 === 0 ? "pg-us-east-1" : "pg-eu-west-1")),
    ).toBe(true);
    expect(writes.some((o) => o.region === "eu-west" && o.node === "pg-us-east-1")).toBe(true);
    const session = results.checkers.session!;
    expect(session.expectedCost).toMatchObject({ reason: expect.stringMatching(/replication delay/) });
    console.info(
      `pg-geo-partitioned: ${writes.length} acknowledged writes, 0 conflicts, ` +
        `${(session.expectedCost as { anomalies: unknown[] }).anomalies.length} stale local reads (expected cost)`,
    );
  }, 240_000);

  it("under dns-split: conflicts and lost writes, tied to the split window", async () => {
    const outcome = await run(["dns-split"]);
    const results = outcome.results!;
    expect(results.valid).toBe(false);
    expect(results.anomalyTypes).toContain("nonlinearizable");
    const conflicts = results.signals.conflicts as { total: number };
    expect(conflicts.total).toBeGreaterThan(0);

    const history = parseHistory(readFileSync(outcome.folder.history, "utf8"), { fileName: "history.jsonl" });
    const start = history.find((o) => o.process === NEMESIS && o.f === "dns-split" && o.phase === "start")!;
    const stop = history.find((o) => o.process === NEMESIS && o.f === "dns-split" && o.phase === "stop")!;
    const misrouted = results.checkers["home-linearizable"]!.misrouted as {
      firstMs: number;
      lastMs: number;
    }[];
    expect(misrouted.length).toBeGreaterThan(0);
    for (const m of misrouted) {
      // The router's window opens when the fault starts, at its planned time.
      expect(m.firstMs).toBeGreaterThanOrEqual((start.plannedMs as number) - 50);
      expect(m.lastMs).toBeLessThanOrEqual(Math.ceil(stop.time! / 1e6));
    }
    // PostgreSQL's counters over time (metrics.jsonl, charted in the report): none before the
    // window opened, all of them by shortly after it closed.
    const samples = readFileSync(outcome.folder.metrics, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; t: number; count: number })
      .filter((m) => m.kind === "conflicts");
    const sumAt = (pred: (tMs: number) => boolean) => {
      const last = new Map<string, number>();
      for (const m of samples as ((typeof samples)[number] & { from: string; to: string })[])
        if (pred(m.t / 1e6)) last.set(`${m.from}->${m.to}`, m.count);
      return [...last.values()].reduce((a, b) => a + b, 0);
    };
    expect(sumAt((t) => t < (start.plannedMs as number))).toBe(0);
    expect(sumAt((t) => t < stop.time! / 1e6 + 3_000)).toBe(conflicts.total);
    // Each key found nonlinearizable was written on both nodes during the window.
    const keys = new Set(misrouted.map((m) => JSON.stringify((m as { key?: unknown }).key)));
    for (const a of results.checkers["home-linearizable"]!.anomalies)
      expect(keys.has(JSON.stringify(a.key))).toBe(true);
    console.info(
      `pg-geo-partitioned under dns-split: ${conflicts.total} conflicts, ${misrouted.length} key/node pairs misrouted, ` +
        `${results.checkers["home-linearizable"]!.anomalies.length} key(s) not linearizable at home, divergence ${String(results.checkers.divergence!.valid)}`,
    );
  }, 240_000);
});
