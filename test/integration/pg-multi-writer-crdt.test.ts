/**
 * pg-multi-writer-crdt end to end on real PostgreSQL 18 (a positive control): counters as a CRDT,
 * one row per region, each region incrementing only its own. Under the default faults it
 * converges, loses no increment (every converged read equals the acknowledged increments, within
 * the ones whose outcome is unknown), and PostgreSQL counts no conflict. Local reads during the
 * run lag, listed as the expected cost.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseHistory } from "../../checkers/history/parse.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { runTest } from "../../harness/run/runner.ts";
import { pgMultiWriterCrdt } from "../../harness/scenarios/pg-multi-writer.ts";

const store = mkdtempSync(join(tmpdir(), "faultline-crdt-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

describe("pg-multi-writer-crdt, end to end", () => {
  it("converges with no lost increments and zero conflicts", async () => {
    const config = validateConfig({
      ...DEFAULTS,
      ...pgMultiWriterCrdt.defaults,
      name: "it-crdt",
      scenario: "pg-multi-writer-crdt",
      seed: 3,
      store,
      timeLimitS: 20,
    });
    const outcome = await runTest(config, { phase: () => {}, log: () => {} });
    const results = outcome.results!;
    expect(results.valid).toBe(true);
    expect(results.checkers.counter!.valid).toBe(true);
    expect(results.checkers.divergence!.valid).toBe(true);
    const conflicts = results.signals.conflicts as { total: number };
    expect(conflicts.total).toBe(0);

    // Every counter's converged value, in both regions, is its acknowledged increments (plus at
    // most those whose outcome is unknown).
    const history = parseHistory(readFileSync(outcome.folder.history, "utf8"), { fileName: "history.jsonl" });
    const finals = history.filter((o) => o.type === "ok" && o.f === "read" && o.final === true);
    expect(finals.length).toBe(6);
    for (const f of finals) {
      const acked = history.filter((o) => o.type === "ok" && o.f === "add" && o.key === f.key).length;
      const unknown = history.filter((o) => o.type === "info" && o.f === "add" && o.key === f.key).length;
      expect(f.value as number).toBeGreaterThanOrEqual(acked);
      expect(f.value as number).toBeLessThanOrEqual(acked + unknown);
    }
    const cost = results.checkers["counter-local-reads"]!.expectedCost as { anomalies: unknown[] };
    console.info(
      `pg-multi-writer-crdt: ${history.filter((o) => o.type === "ok" && o.f === "add").length} acknowledged increments, ` +
        `0 conflicts, ${cost.anomalies.length} lagging local reads (expected cost)`,
    );
  }, 240_000);
});
