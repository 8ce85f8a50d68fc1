import { describe, expect, it } from "vitest";
import { renderSummary } from "../../reports/summary.ts";
import { ELLE, makeHostile, REGISTER, readRunFolder, XSS_SCRIPT } from "./fixtures.ts";

describe("renderSummary", () => {
  it("leads with the verdict and lists checkers and the first anomalies", async () => {
    const run = await readRunFolder(REGISTER);
    const md = renderSummary(run.results, run.test, run.history);
    const lines = md.split("\n");
    expect(lines[0]).toBe("## ❌ faultline: pg-async-replica");
    expect(lines[2]).toMatch(/^\*\*Not linearizable: \d+ stale reads served by eu-west/);
    expect(md).toContain("| linearizable | ❌ invalid | nonlinearizable | 6 |");
    expect(md).toContain("| lost-writes | ✅ valid |  | 0 |");
    expect(md.match(/^- \*\*/gm)).toHaveLength(10);
  });

  it("escapes hostile values so they cannot become HTML or break the table", async () => {
    const run = makeHostile(await readRunFolder(ELLE));
    const md = renderSummary(run.results, run.test, run.history);
    expect(md).not.toContain(XSS_SCRIPT);
    expect(md).not.toMatch(/<(img|svg|script)/i);
    // Each checker row still has exactly five pipes (four cells).
    const row = md.split("\n").find((l) => l.startsWith("| elle-list-append"))!;
    expect(row.replace(/\\\|/g, "").match(/\|/g)).toHaveLength(5);
  });
});
