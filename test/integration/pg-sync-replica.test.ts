/**
 * Positive control: with synchronous_commit = remote_apply, a commit returns only once the
 * standby applied it, so every session reads its own writes and reads move forward, even while
 * the replication link is cut (writes stall instead).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NEMESIS } from "../../checkers/history/op.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { runTest } from "../../harness/run/runner.ts";

const store = mkdtempSync(join(tmpdir(), "faultline-sync-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

describe("pg-sync-replica, end to end", () => {
  it("keeps read-your-writes and monotonic reads under replication cuts; writes stall while cut", async () => {
    const config = validateConfig({
      ...DEFAULTS,
      name: "it-sync",
      scenario: "pg-sync-replica",
      seed: 777,
      store,
      timeLimitS: 14,
      nemesisIntervalS: 4,
      faultDurationS: 3,
    });
    const outcome = await runTest(config, { phase: () => {}, log: () => {} });
    const results = outcome.results!;
    expect(results.checkers.session.valid, JSON.stringify(results.checkers.session.anomalies[0])).toBe(true);
    expect(results.valid).toBe(true);

    const history = parseHistory(readFileSync(outcome.folder.history, "utf8"));
    const reads = history.filter((o) => o.f === "read" && o.type === "ok");
    expect(reads.filter((o) => o.region === "eu-west").length).toBeGreaterThan(10);
    // Writes stall while replication is cut: some time out (info) inside fault windows.
    const windows: [number, number][] = [];
    for (const s of history.filter((o) => o.process === NEMESIS && o.phase === "start")) {
      const stop = history.find((o) => o.process === NEMESIS && o.phase === "stop" && o.fault === s.fault);
      windows.push([s.time!, stop?.time ?? Number.POSITIVE_INFINITY]);
    }
    expect(windows.length).toBeGreaterThanOrEqual(2);
    const stalled = history.filter(
      (o) =>
        o.type === "info" && o.f !== "read" && windows.some(([a, b]) => o.time! >= a && o.time! <= b + 3e9),
    );
    expect(stalled.length).toBeGreaterThan(0);
  }, 180_000);
});
