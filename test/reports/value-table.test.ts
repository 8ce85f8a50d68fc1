/**
 * Signals and the topology read as tables, not raw JSON; the replication-lag chart shows measured
 * probes where they were written (a probe stuck behind a cut shows its lag at the cut's start).
 */
import { describe, expect, it } from "vitest";
import { computeSignals } from "../../checkers/signals.ts";
import { chartData } from "../../reports/chart-data.ts";
import { renderReport } from "../../reports/html.ts";
import { indexOperations } from "../../reports/operations.ts";
import { valueTable } from "../../reports/value-table.ts";
import { REGISTER, readRunFolder, XSS_SCRIPT } from "./fixtures.ts";

describe("tables instead of JSON", () => {
  it("per-region signals are one row per region with dotted latency columns", async () => {
    const run = await readRunFolder(REGISTER);
    const signals = computeSignals(run.history, run.metrics as Record<string, unknown>[]);
    const html = valueTable(signals.regions, "region");
    expect(html).toMatch(/<th>region<\/th>.*<th>errorRate<\/th>.*<th>latencyMs\.p99<\/th>/);
    expect(html).toMatch(/<td>eu-west<\/td>/);
    expect(html).not.toContain('{"');
  });

  it("the report's signals and test sections have no raw JSON for regions, lag or nodes", async () => {
    const run = await readRunFolder(REGISTER);
    run.results.signals = computeSignals(run.history, run.metrics as Record<string, unknown>[]);
    const html = renderReport(run);
    const signals = html.slice(html.indexOf("<h3>Signals</h3>"));
    expect(signals).toMatch(/Per region/);
    expect(signals).toMatch(/Replication lag by region pair/);
    expect(signals).toMatch(/<td>us-east → eu-west<\/td>|<td>us-east-&gt;eu-west<\/td>/);
    const config = html.slice(html.indexOf('id="config"'));
    // test.json's nodes: a table with a row per node.
    expect(config).toMatch(/<th>name<\/th><th>region<\/th><th>store<\/th><th>role<\/th>/);
    expect(config).toMatch(/<td>pg-eu-west-1<\/td>/);
  });

  it("escapes every value", () => {
    const html = valueTable({ [XSS_SCRIPT]: { a: XSS_SCRIPT } });
    expect(html).not.toContain(XSS_SCRIPT);
  });
});

describe("replication lag chart", () => {
  it("places each probe at the time it was written, not when it arrived", () => {
    const ops = indexOperations([]);
    const metrics = [
      { kind: "lag", from: "us-east", to: "eu-west", t: 2e9, ms: 50 },
      // Written at 3 s, stuck behind a cut, visible at 7 s.
      { kind: "lag", from: "us-east", to: "eu-west", t: 7e9, ms: 4000 },
    ];
    const lag = chartData(ops, metrics)?.lag;
    const at = (x: number) => lag?.ys[0][lag.x.indexOf(x)];
    expect(at(1.95)).toBe(50);
    expect(at(3)).toBe(4000);
    expect(lag?.x).not.toContain(7);
  });
});
