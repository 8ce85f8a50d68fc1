/**
 * replication-backlog on a replicated scenario, end to end on real PostgreSQL 18: both replication
 * links of the multi-writer CRDT layout are throttled to a trickle while clients keep writing.
 * Lag by region pair (probes in metrics.jsonl, the report's lag chart) grows during the throttle
 * and drains after it lifts; the CRDT still converges with nothing lost.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NEMESIS } from "../../checkers/history/op.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { runTest } from "../../harness/run/runner.ts";

const store = mkdtempSync(join(tmpdir(), "faultline-backlog-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

describe("replication-backlog nemesis", () => {
  it("lag grows while replication is throttled and drains after, per region pair", async () => {
    const config = validateConfig({
      ...DEFAULTS,
      name: "it-backlog",
      scenario: "pg-multi-writer-crdt",
      seed: 3,
      store,
      timeLimitS: 24,
      nemesis: ["replication-backlog"],
      nemesisIntervalS: 12,
      faultDurationS: 7,
    });
    const outcome = await runTest(config, { phase: () => {}, log: () => {} });
    const history = parseHistory(readFileSync(outcome.folder.history, "utf8"), { fileName: "history.jsonl" });
    const windows = history
      .filter((o) => o.process === NEMESIS && o.f === "replication-backlog")
      .reduce<{ start: number; stop: number }[]>((ws, o) => {
        if (o.phase === "start") ws.push({ start: o.time! / 1e6, stop: Infinity });
        else ws[ws.length - 1]!.stop = o.time! / 1e6;
        return ws;
      }, []);
    expect(windows.length).toBeGreaterThan(0);
    const lag = readFileSync(outcome.folder.metrics, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; from: string; to: string; ms: number; t: number })
      .filter((m) => m.kind === "lag");
    const w = windows[0]!;
    // A probe's sample is recorded when it becomes visible: t (ns) is its arrival.
    const at = (m: { t: number; ms: number }) => m.t / 1e6;
    for (const pair of ["us-east->eu-west", "eu-west->us-east"]) {
      const mine = lag.filter((m) => `${m.from}->${m.to}` === pair);
      const before = mine.filter((m) => at(m) < w.start);
      const during = mine.filter((m) => at(m) - m.ms >= w.start - 100 && at(m) <= w.stop + 2_000);
      const after = mine.filter((m) => at(m) - m.ms > w.stop + 2_000);
      expect(before.length).toBeGreaterThan(0);
      expect(after.length).toBeGreaterThan(0);
      const maxBefore = Math.max(...before.map((m) => m.ms));
      const maxDuring = Math.max(...during.map((m) => m.ms));
      const lastAfter = after[after.length - 1]!.ms;
      expect(maxDuring).toBeGreaterThan(Math.max(1_000, 5 * maxBefore));
      expect(lastAfter).toBeLessThan(maxDuring / 3);
      console.info(
        `replication-backlog ${pair}: lag max before ${maxBefore} ms, during ${maxDuring} ms, last after ${lastAfter} ms`,
      );
    }
    expect(outcome.results!.valid).toBe(true);
    expect(
      (outcome.results!.signals.replicationLagMs as Record<string, unknown>)["us-east->eu-west"],
    ).toBeDefined();
  }, 240_000);
});
