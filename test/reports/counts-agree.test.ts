/**
 * One number everywhere: when a checker lists only the first anomalies of a type and counts the
 * rest (`stats["count:<type>"]`, as Elle and the session checker do), the headline, the checker
 * table, the per-checker heading, summary.md and junit.xml all show the counted total, and say
 * "showing N of M" where they list fewer.
 */
import { describe, expect, it } from "vitest";
import { anomalyTotal } from "../../checkers/verdict.ts";
import { renderReport } from "../../reports/html.ts";
import { renderJUnit } from "../../reports/junit.ts";
import { renderSummary } from "../../reports/summary.ts";
import { REGISTER, readRunFolder } from "./fixtures.ts";

async function truncatedRun() {
  const run = await readRunFolder(REGISTER);
  const stale = run.results.checkers["stale-reads"];
  // The checker listed 49 stale reads but counted 194.
  stale.stats = { ...stale.stats, "count:stale-read": 194 };
  return run;
}

describe("anomaly counts agree across outputs", () => {
  it("counts what a checker counted, not only what it listed", async () => {
    const run = await truncatedRun();
    expect(anomalyTotal(run.results.checkers["stale-reads"])).toBe(194);
    expect(anomalyTotal(run.results.checkers.linearizable)).toBe(6);
  });

  it("summary.md: the table and the list heading use the counted total", async () => {
    const run = await truncatedRun();
    const md = renderSummary(run.results, run.test, run.history);
    expect(md).toMatch(/194 stale reads/);
    expect(md).toMatch(/\| stale-reads \| .* \| 194 \|/);
    expect(md).toMatch(/showing 10 of 200/);
    expect(md).not.toMatch(/\| 49 \|/);
  });

  it("junit.xml: the failure message gives the counted total", async () => {
    const run = await truncatedRun();
    const xml = renderJUnit(run.results, run.test, run.history);
    expect(xml).toMatch(/stale-read: 194 anomalies/);
    expect(xml).toMatch(/showing \d+ of 194/);
  });

  it("report.html: table, heading and overview note agree with the headline", async () => {
    const run = await truncatedRun();
    const html = renderReport(run);
    expect(html).toMatch(/194 stale reads/);
    expect(html).toMatch(/stale-reads<\/a><\/td>.*?<td class="num">194<\/td>/);
    expect(html).toMatch(/194 anomalies \(49 listed in detail\)/);
    expect(html).toMatch(/Showing 55 of 200 anomalies/);
  });
});

describe("the scenario's expectation in the reports", () => {
  it("report.html and summary.md say when a verdict is not what the scenario expects", async () => {
    const run = await readRunFolder(REGISTER);
    run.results.expectation = {
      matches: false,
      text: "NOT AS EXPECTED: pg-failover is a negative control (must find lost-write), but this run found none",
    };
    expect(renderReport(run)).toMatch(
      /class="expectation bad" data-testid="expectation">NOT AS EXPECTED: pg-failover/,
    );
    expect(renderSummary(run.results, run.test, run.history)).toMatch(/❌ NOT AS EXPECTED: pg-failover/);
    expect(renderJUnit(run.results, run.test, run.history)).toMatch(
      /<property name="matches-expectation" value="false"\/>/,
    );
  });
});
