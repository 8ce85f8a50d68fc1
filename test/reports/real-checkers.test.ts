/**
 * The report drawn from what the real checkers return (not hand-made results): catches drift
 * between the checkers' explanation.ts types and what reports/ reads.
 */
import { describe, expect, it } from "vitest";
import { loadChecker } from "../../checkers/registry.ts";
import { combineResults } from "../../checkers/verdict.ts";
import { renderReport } from "../../reports/html.ts";
import { ELLE, REGISTER, readRunFolder } from "./fixtures.ts";

function headline(html: string): string {
  return html.match(/data-testid="headline">([^<]*)</)?.[1] ?? "";
}

describe("report from real checker output", () => {
  it("linearizable: a timeline with the failing read, the partial linearization and states before", async () => {
    const run = await readRunFolder(REGISTER);
    const checker = await loadChecker("linearizable");
    const result = await checker.check(run.history, {
      model: "register",
      initial: null,
      timeLimitMs: 30_000,
    });
    expect(result.valid).toBe(false);
    const html = renderReport({ ...run, results: combineResults({ linearizable: result }) });
    expect(headline(html)).toMatch(
      /^Not linearizable: 1 read that cannot be linearized \(key \d+\), served by eu-west/,
    );
    const svg = html.match(/<svg class="timeline"[\s\S]*?<\/svg>/)?.[0] ?? "";
    expect(svg.match(/class="op op-ok role-failing"/g)).toHaveLength(1);
    expect(svg).toMatch(/#\d+ (read|write) /);
    expect(html).toContain("Model states possible just before it:");
    expect(html).toMatch(/<tr class="failing">/);
  });

  it("elle-list-append: the G-single cycle drawn with its wr and rw edges", async () => {
    const run = await readRunFolder(ELLE);
    const checker = await loadChecker("elle-list-append");
    const result = await checker.check(run.history, { consistencyModel: "serializable" });
    expect(result.anomalyTypes).toContain("G-single");
    const html = renderReport({ ...run, results: combineResults({ "elle-list-append": result }) });
    expect(headline(html)).toMatch(/^Not serializable \(not even [a-z ]+\): 1 G-single cycle/);
    const svg = html.match(/<svg class="cycle"[\s\S]*?<\/svg>/)?.[0] ?? "";
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg).toContain(">wr</text>");
    expect(svg).toContain(">rw</text>");
    expect(html).toMatch(/T\d &lt; T\d because/);
  });
});
