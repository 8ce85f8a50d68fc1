import { describe, expect, it } from "vitest";
import type { History, Op } from "../../checkers/history/op.ts";
import type { Results } from "../../checkers/verdict.ts";
import { renderReport } from "../../reports/html.ts";
import { ELLE, makeHostile, REGISTER, readRunFolder, XSS_ATTR, XSS_QUOTE, XSS_SCRIPT } from "./fixtures.ts";

/** The JSON embedded for the charts, parsed back as the browser would. */
function chartJson(html: string): {
  latency: { region: string; x: number[] }[];
  faults: unknown[];
  lag: unknown;
} {
  const m = html.match(/<script type="application\/json" id="chart-data">([^<]*)<\/script>/);
  expect(m, "chart data block").not.toBeNull();
  return JSON.parse(m![1]);
}

/** Every attribute name of every tag, tokenized with quotes respected (a minimal HTML lexer). */
function attributeNames(markup: string): string[] {
  const names: string[] = [];
  for (const tag of markup.matchAll(
    /<[a-zA-Z][\w:-]*((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g,
  )) {
    for (const attr of tag[1].matchAll(/\s+([^\s=>/]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?/g))
      names.push(attr[1]);
  }
  return names;
}

describe("renderReport", () => {
  it("(the lexer the escaping test relies on finds event handlers)", () => {
    expect(attributeNames(`<img src=x onerror=alert(2)><a title="x onload=1" href='y'>`)).toEqual([
      "src",
      "onerror",
      "title",
      "href",
    ]);
  });

  it("states the register run's verdict in plain words, with region and fault", async () => {
    const run = await readRunFolder(REGISTER);
    const html = renderReport(run);
    const headline = html.match(/data-testid="headline">([^<]*)</)?.[1] ?? "";
    expect(headline).toMatch(
      /^Not linearizable: \d+ stale reads served by eu-west, \d+ of them during partition/,
    );
    expect(headline).toContain("operations that cannot be linearized");
    expect(html).toContain('class="verdict invalid"');
    // A timeline per linearizability failure, with the failing op marked, and the fault shaded.
    expect(html).toMatch(/<svg class="timeline"/);
    expect(html).toContain("role-failing");
    expect(html).toContain('class="fault"');
    const data = chartJson(html);
    expect(data.latency.map((s) => s.region).sort()).toEqual(["eu-west", "us-east"]);
    expect(data.faults).toHaveLength(2);
    expect(data.lag).not.toBeNull();
    // The run at a glance: a row of ticks per anomaly type over the fault windows.
    const overview = html.match(/<svg class="overview"[\s\S]*?<\/svg>/)?.[0] ?? "";
    expect(overview).toMatch(/>stale-read \(\d+\)</);
    expect(overview).toMatch(/>nonlinearizable \(6\)</);
    expect(overview.match(/class="fault"/g)).toHaveLength(2);
    // Fault table: each window with the anomalies that fell inside it.
    expect(html).toMatch(/anomalies inside/);
  });

  it("draws the Elle cycle with labelled edges and names the models violated", async () => {
    const run = await readRunFolder(ELLE);
    const html = renderReport(run);
    const headline = html.match(/data-testid="headline">([^<]*)</)?.[1] ?? "";
    expect(headline).toBe(
      "Not serializable (not even snapshot isolation): 1 G-single cycle in us-east with no fault active",
    );
    const svg = html.match(/<svg class="cycle"[\s\S]*?<\/svg>/)?.[0] ?? "";
    expect(svg).toContain(">wr</text>");
    expect(svg).toContain(">rw</text>");
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(html).toContain("T2 &lt; T1 because T2 read x = [], which does not include T1&#39;s append of 1");
  });

  it("never lets a hostile value from the database, config or checker reach the page unescaped", async () => {
    for (const dir of [REGISTER, ELLE]) {
      const html = renderReport(makeHostile(await readRunFolder(dir)));
      expect(html).not.toContain(XSS_SCRIPT);
      expect(html).not.toContain(XSS_ATTR);
      expect(html).not.toContain(XSS_QUOTE);
      // Outside our own scripts, no tag carries an event handler and no foreign tag exists.
      const markup = html.replace(/<script>[\s\S]*?<\/script>/g, "");
      expect(attributeNames(markup).filter((a) => /^on/i.test(a))).toEqual([]);
      expect(markup).not.toMatch(/<img/i);
      expect(markup).not.toMatch(/<svg onload/i);
      // Only our own three script elements: chart data, uPlot, the chart code.
      expect(html.match(/<script/gi)).toHaveLength(3);
      // The escaped text is there (so it was rendered, not dropped).
      expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
      // The chart data stays parseable JSON and holds the hostile strings as plain data.
      const data = chartJson(html);
      expect(JSON.stringify(data)).toContain(XSS_ATTR);
    }
  });

  it("stays fast and bounded on a 100k-op history", () => {
    const history: History = [];
    let index = 0;
    for (let i = 0; i < 50_000; i++) {
      const process = i % 20;
      const region = process < 10 ? "us-east" : "eu-west";
      const t = i * 200_000;
      const base = { process, f: i % 3 ? "read" : "write", key: i % 50, region, node: `pg-${region}-1` };
      history.push({ index: index++, type: "invoke", time: t, value: i % 3 ? null : i, ...base } as Op);
      history.push({
        index: index++,
        type: i % 97 ? "ok" : "info",
        time: t + 3_000_000 + (i % 7) * 1e6,
        value: i,
        ...base,
      } as Op);
    }
    history.push({
      index: index++,
      type: "info",
      process: "nemesis",
      f: "partition",
      value: "cut",
      time: 2e9,
    });
    history.push({
      index: index++,
      type: "info",
      process: "nemesis",
      f: "partition",
      value: "healed",
      time: 4e9,
    });
    const ops = history.filter((o) => o.type !== "invoke").slice(0, 5000);
    const results: Results = {
      valid: false,
      anomalyTypes: ["stale-read"],
      checkers: {
        "stale-reads": {
          valid: false,
          anomalyTypes: ["stale-read"],
          anomalies: ops.map((o) => ({ type: "stale-read", explanation: "stale", ops: [o] })),
        },
      },
      signals: {},
    };
    const started = performance.now();
    const html = renderReport({ test: { name: "big" }, results, history });
    const ms = performance.now() - started;
    expect(html.length).toBeLessThan(6_000_000);
    expect(html).toContain("5000 stale reads");
    expect(html).toMatch(/more anomalies from stale-reads/);
    const data = chartJson(html);
    for (const s of data.latency) expect(s.x.length).toBeLessThanOrEqual(6000);
    // Generous bound for a loaded 2-core machine; typical is well under a second.
    expect(ms).toBeLessThan(10_000);
  });

  it("charts other measured signals (conflict counters, ...) per kind, one series per region", async () => {
    const run = await readRunFolder(REGISTER);
    const metrics = [
      ...(run.metrics ?? []),
      ...[1, 2, 3].flatMap((i) => [
        { t: i * 1e9, kind: "conflicts", region: "us-east", count: i },
        { t: i * 1e9, kind: "conflicts", region: "eu-west", count: 2 * i },
      ]),
      { t: 5e9, kind: "note", text: "no number here" },
    ];
    const data = chartJson(renderReport({ ...run, metrics })) as unknown as {
      signals: { kind: string; field: string; names: string[]; ys: (number | null)[][] }[];
    };
    expect(data.signals.map((s) => [s.kind, s.field, s.names])).toEqual([
      ["conflicts", "count", ["eu-west", "us-east"]],
    ]);
    expect(data.signals[0].ys[0].filter((v) => v !== null)).toEqual([2, 4, 6]);
  });

  it("renders a valid run and an empty history without throwing", () => {
    const html = renderReport({
      test: {},
      results: {
        valid: true,
        anomalyTypes: [],
        checkers: { linearizable: { valid: true, anomalyTypes: [], anomalies: [] } },
        signals: {},
      },
      history: [],
    });
    expect(html).toContain("Valid: no anomalies in 0 operations (checked by linearizable)");
    expect(html).toContain('class="verdict valid"');
  });

  it("draws a history without times (Knossos-style: line order is real time) by position", async () => {
    const run = await readRunFolder(REGISTER);
    const history = run.history.map(({ time: _t, ...op }) => op as Op);
    // Keep only the anomalies (LinOps carry ns times; without times the checker would give positions).
    const html = renderReport({ ...run, history, metrics: undefined });
    expect(html).toContain("No latency to draw: the history has no times.");
    expect(html).toMatch(/<svg class="timeline"/);
    expect(html).toMatch(/At history line \d+/);
    expect(chartJson(html).latency).toEqual([]);
  });

  it("says so when a checker is invalid or unknown without details", () => {
    const results: Results = {
      valid: false,
      anomalyTypes: ["lost-write"],
      checkers: {
        set: { valid: false, anomalyTypes: ["lost-write"], anomalies: [] },
        lin: { valid: "unknown", anomalyTypes: [], anomalies: [], reason: "time limit (60 s) reached" },
      },
      signals: {},
    };
    const html = renderReport({ test: { name: "t" }, results, history: [] });
    expect(html).toContain("Acknowledged writes lost: 1 lost acknowledged write");
    expect(html).toContain("The checker reported lost-write without details.");
    expect(html).toContain("time limit (60 s) reached");
  });
});
