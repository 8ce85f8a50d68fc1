/**
 * pg-multi-writer-lww end to end on real PostgreSQL 18 (a negative control): last-writer-wins by
 * row timestamp, a trigger enabled ALWAYS keeping the newer version on replication apply. The
 * nodes converge (no divergence), but the converged counter keeps only one side's increments
 * (counter-out-of-range in the final reads), and every remote version thrown away is named with
 * the version it lost to, in results and in the report.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseHistory } from "../../checkers/history/parse.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { runTest } from "../../harness/run/runner.ts";
import { pgMultiWriterLww } from "../../harness/scenarios/pg-multi-writer.ts";
import type { ConflictSignal } from "../../harness/stores/postgres/conflict-counters.ts";
import { renderReport } from "../../reports/html.ts";

const store = mkdtempSync(join(tmpdir(), "faultline-lww-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

describe("pg-multi-writer-lww, end to end", () => {
  it("converges but drops acknowledged increments, naming which write lost to which", async () => {
    const config = validateConfig({
      ...DEFAULTS,
      ...pgMultiWriterLww.defaults,
      name: "it-lww",
      scenario: "pg-multi-writer-lww",
      seed: 2,
      store,
      timeLimitS: 20,
    });
    const outcome = await runTest(config, { phase: () => {}, log: () => {} });
    const results = outcome.results!;
    const history = parseHistory(readFileSync(outcome.folder.history, "utf8"), { fileName: "history.jsonl" });

    expect(results.valid).toBe(false);
    expect(results.anomalyTypes).toContain("counter-out-of-range");
    // Converged: both nodes hold the same row.
    expect(results.checkers.divergence!.valid).toBe(true);
    // The converged value is below the acknowledged increments: each final read says by how much.
    const acked = history.filter((o) => o.type === "ok" && o.f === "add").length;
    const finals = history.filter((o) => o.type === "ok" && o.f === "read" && o.final === true);
    expect(finals.length).toBe(2);
    expect(new Set(finals.map((o) => o.value)).size).toBe(1);
    expect(finals[0]!.value as number).toBeLessThan(acked);
    expect(results.checkers.counter!.anomalies.length).toBe(2);

    // Which write lost to which: each discarded version is older than the one it lost to, and
    // came from the other node.
    const conflicts = results.signals.conflicts as ConflictSignal;
    expect(conflicts.total).toBeGreaterThan(0);
    expect(conflicts.discarded!.total).toBeGreaterThan(0);
    for (const d of conflicts.discarded!.shown) {
      expect(d.lost.by).not.toBe(d.node);
      expect(d.keptBy.by === d.lost.by ? d.keptBy.at > d.lost.at : d.keptBy.at >= d.lost.at).toBe(true);
    }
    const html = renderReport({
      results,
      history,
      metrics: [],
      test: JSON.parse(readFileSync(outcome.folder.testJson, "utf8")),
    });
    expect(html).toContain("Writes overwritten by last-writer-wins");
    const d = conflicts.discarded!.shown[0]!;
    expect(html).toContain(`${d.lost.value}, ${d.lost.by}, ${d.lost.at}`);
    console.info(
      `pg-multi-writer-lww: ${acked} acknowledged increments, converged value ${String(finals[0]!.value)}, ` +
        `${conflicts.total} conflicts counted, ${conflicts.discarded!.total} versions discarded`,
    );
  }, 240_000);
});
