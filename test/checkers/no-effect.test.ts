/**
 * A failed compare-and-set (`cas-mismatch`) is the operation's correct answer, not an error: it
 * must not count in the error rate, fail `--slo-error-rate`, or show as a failure in the report's
 * counts, summary.md or the progress line. A fail with any other error still counts.
 */
import { describe, expect, it } from "vitest";
import type { History, Op } from "../../checkers/history/op.ts";
import { computeSignals } from "../../checkers/signals.ts";
import { checkSlo } from "../../checkers/slo.ts";
import { chartData } from "../../reports/chart-data.ts";
import { countOps } from "../../reports/counts.ts";
import { renderReport } from "../../reports/html.ts";
import { indexOperations } from "../../reports/operations.ts";
import { renderSummary } from "../../reports/summary.ts";

/** A healthy register run: 6 ok ops, 3 cas that did not match, 1 write refused with a real error. */
function history(): History {
  const h: Op[] = [];
  let index = 0;
  const pair = (process: number, f: string, value: unknown, done: Partial<Op>) => {
    const t = index * 1e6;
    h.push({ index: index++, type: "invoke", process, f, value, region: "us-east", time: t });
    h.push({
      index: index++,
      type: "ok",
      process,
      f,
      value,
      region: "us-east",
      time: t + 5e5,
      ...done,
    } as Op);
  };
  for (let i = 0; i < 6; i++) pair(i, "write", i, {});
  for (let i = 0; i < 3; i++) pair(10 + i, "cas", [99, i], { type: "fail", error: "cas-mismatch" });
  pair(20, "write", 7, { type: "fail", error: "connection refused" });
  return h;
}

describe("normal no-effect outcomes are not errors", () => {
  it("signals: cas-mismatch is counted as noEffect, outside the error rate", () => {
    const r = computeSignals(history()).regions["us-east"];
    expect(r).toMatchObject({ ops: 10, ok: 6, noEffect: 3, fail: 1, info: 0 });
    expect(r.errorRate).toBe(0.1);
  });

  it("--slo-error-rate is not failed by correct cas answers", () => {
    const slo = checkSlo(computeSignals(history()), { maxErrorRate: 0.15 });
    expect(slo.valid).toBe(true);
  });

  it("report counts, summary.md and the counts table keep them apart from failures", () => {
    const ops = indexOperations(history());
    expect(countOps(ops.intervals, ops.hasTimes).total).toMatchObject({ ok: 6, noEffect: 3, fail: 1 });
    const results = { valid: true as const, anomalyTypes: [], checkers: {}, signals: {} };
    expect(renderSummary(results, { name: "t" }, history())).toMatch(
      /10 ops \(6 ok, 3 no effect \(normal answer\), 1 fail, 0 info\)/,
    );
    const html = renderReport({ test: { name: "t" }, results, history: history() });
    // The error rate column: (1 fail + 0 info) / 10, not (4 + 0) / 10.
    expect(html).toMatch(/<td class="num">10\.0%<\/td>/);
    expect(html).not.toMatch(/40\.0%/);
  });

  it("the latency chart draws them as their own series, not as failures", () => {
    const [s] = chartData(indexOperations(history()), []).latency;
    const n = (ys: (number | null)[]) => ys.filter((v) => v !== null).length;
    expect([n(s.ok), n(s.noEffect), n(s.fail)]).toEqual([6, 3, 1]);
  });
});
