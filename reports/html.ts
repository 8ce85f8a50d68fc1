/**
 * report.html: one self-contained page (inline CSS, JS and data; no network) that a person can
 * read in ten seconds: the verdict in plain words, then counts, each anomaly with its operations
 * and a picture (a per-process timeline for linearizability, a graph for Elle cycles), latency
 * and replication lag over time with fault windows shaded, and the schedule.
 *
 * Everything from the database, the history or the config is untrusted: it reaches the page only
 * through escapeHtml (text and attributes) or jsonForScript (chart data).
 */
import type { History } from "../checkers/history/op.ts";
import { anomalyTotal, type Results } from "../checkers/verdict.ts";
import { renderAnomalies } from "./anomaly-html.ts";
import { valueTable } from "./value-table.ts";
import { reportAssets } from "./assets.ts";
import { asRecord, ms, validityCell, validityClass, WORD } from "./cells.ts";
import { chartData } from "./chart-data.ts";
import { countOps, type OpCounts } from "./counts.ts";
import { renderConflicts } from "./conflicts.ts";
import { renderExpectedCosts } from "./expected-cost.ts";
import { compactValue, escapeHtml as h, jsonForScript } from "./escape.ts";
import { renderFaults, renderSchedule } from "./faults-html.ts";
import { indexOperations, type OperationIndex, type OpInterval } from "./operations.ts";
import { renderOverviewSvg } from "./overview-svg.ts";
import { formatSeconds } from "./svg.ts";
import { countNoun, verdictText } from "./verdict-text.ts";

export { LIMITS } from "./anomaly-html.ts";

export interface ReportInput {
  /** The parsed test.json (config with seed and schedule); shown, never trusted. */
  test: unknown;
  results: Results;
  history: History;
  /** Parsed metrics.jsonl lines, if the run recorded any. */
  metrics?: object[];
}

// ---------------------------------------------------------------------------------------------
// Header: the verdict, then the numbers.

/** "as expected: ..." / "NOT AS EXPECTED: ..." under the headline, when the run recorded it. */
function expectationLine(results: Results): string {
  const e = results.expectation;
  if (!e || typeof e.text !== "string") return "";
  return `<div class="expectation ${e.matches ? "ok" : "bad"}" data-testid="expectation">${h(e.text)}</div>\n`;
}

function renderVerdict(input: ReportInput, ops: OperationIndex): string {
  const v = verdictText(input.results, ops);
  const chips = v.counts
    .map(
      (c) =>
        `<span class="chip"><b>${h(c.count)}</b>${h(countNoun(c.type, c.count).replace(/^\d+ /, ""))}</span>`,
    )
    .join("");
  const word = v.valid === false ? "Anomalies found" : v.valid === true ? "Passed" : "Inconclusive";
  return `<section class="verdict ${validityClass(v.valid)}" id="verdict">
<div class="word">${h(word)}</div>
<div class="headline" data-testid="headline">${h(v.headline)}</div>
${expectationLine(input.results)}${chips ? `<div class="chips">${chips}</div>` : ""}
</section>`;
}

function renderStats(ops: OperationIndex, total: OpCounts): string {
  const duration = ops.hasTimes ? formatSeconds(ops.endTime) : `${ops.endTime + 1} history lines`;
  const stat = (k: string, v: string | number, cls = "") =>
    `<div class="stat ${cls}"><div class="v">${h(v)}</div><div class="k">${h(k)}</div></div>`;
  return `<div class="stats">${[
    stat("operations", total.ops),
    stat("ok", total.ok),
    stat("no effect (normal answer)", total.noEffect),
    stat("fail (error)", total.fail, total.fail ? "warn" : ""),
    stat("info (unknown outcome)", total.info, total.info ? "warn" : ""),
    stat("faults injected", ops.faults.length, ops.faults.length ? "bad" : ""),
    stat("duration", duration),
    stat("p99 latency", total.p99 === undefined ? "–" : `${ms(total.p99)} ms`),
  ].join("")}</div>`;
}

function renderTestLine(test: unknown, runDir?: string): string {
  const t = asRecord(test);
  const parts: string[] = [];
  parts.push(`faultline report · ${String(t.name ?? "unnamed test")}`);
  if (t.scenario !== undefined && t.scenario !== t.name) parts.push(`scenario ${String(t.scenario)}`);
  if (t.seed !== undefined) parts.push(`seed ${String(t.seed)}`);
  if (runDir) parts.push(runDir);
  return `<h1>${h(parts.join(" · "))}</h1>`;
}

// ---------------------------------------------------------------------------------------------
// Checkers and anomalies.

function renderCheckerTable(results: Results): string {
  const rows = Object.entries(results.checkers).map(([name, c], i) => {
    const stats = c.stats
      ? Object.entries(c.stats)
          .slice(0, 6)
          .map(([k, v]) => `${k}: ${compactValue(v, 30)}`)
          .join(", ")
      : "";
    const count = anomalyTotal(c);
    return `<tr><td><a href="#checker-${i}">${h(name)}</a></td><td>${validityCell(c.valid)}</td><td>${h((c.anomalyTypes ?? []).join(", "))}</td><td class="num">${h(count)}</td><td>${h(c.reason ?? "")}</td><td class="note">${h(stats)}</td></tr>`;
  });
  if (!rows.length) return `<p class="note">No checker results.</p>`;
  return `<table><thead><tr><th>checker</th><th>verdict</th><th>anomaly types</th><th class="num">anomalies</th><th>reason</th><th>stats</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

// ---------------------------------------------------------------------------------------------
// Counts, faults, schedule, config.

function renderCounts(intervals: OpInterval[], hasTimes: boolean): string {
  const t = countOps(intervals, hasTimes);
  const row = (name: string, c: OpCounts) =>
    `<tr><td>${h(name)}</td><td class="num">${h(c.ops)}</td><td class="num">${h(c.ok)}</td><td class="num">${h(c.noEffect)}</td><td class="num">${h(c.fail)}</td><td class="num">${h(c.info)}</td><td class="num">${c.ops ? h(`${(((c.fail + c.info) / c.ops) * 100).toFixed(1)}%`) : ""}</td><td class="num">${h(ms(c.p50))}</td><td class="num">${h(ms(c.p95))}</td><td class="num">${h(ms(c.p99))}</td><td class="num">${h(ms(c.max))}</td></tr>`;
  const head = (what: string) =>
    `<thead><tr><th>${what}</th><th class="num">ops</th><th class="num">ok</th><th class="num" title="definitely no effect as the operation's normal answer, e.g. a compare-and-set whose compare did not match">no effect</th><th class="num" title="failed with an error">fail</th><th class="num" title="outcome unknown">info</th><th class="num" title="(fail + info) / ops; normal no-effect answers are not errors">error rate</th><th class="num">p50 ms</th><th class="num">p95 ms</th><th class="num">p99 ms</th><th class="num">max ms</th></tr></thead>`;
  return `<table>${head("region")}<tbody>${t.regions.map(([k, c]) => row(k, c)).join("")}${row("all regions", t.total)}</tbody></table>
<table>${head("operation")}<tbody>${t.fs.map(([k, c]) => row(k, c)).join("")}</tbody></table>`;
}

function renderConfig(test: unknown): string {
  const t = asRecord(test);
  // Regions, nodes and the like are tables; the schedule has its own section.
  const rows = Object.entries(t)
    .filter(([k]) => k !== "schedule")
    .map(([k, v]) => `<tr><th>${h(k)}</th><td class="value">${valueTable(v, k)}</td></tr>`)
    .join("");
  return rows ? `<table><tbody>${rows}</tbody></table>` : `<p class="note">test.json is empty.</p>`;
}

function renderSignals(signals: Record<string, unknown> | undefined): string {
  const entries = Object.entries(signals ?? {});
  if (!entries.length) return "";
  // Per region, per region pair, per failover: each signal as its own table.
  const names: Record<string, string> = {
    regions: "Per region",
    replicationLagMs: "Replication lag by region pair (ms)",
    failover: "Failovers",
    staleness: "Stale reads by region (ms since the value read had been replaced by an acknowledged write)",
    reconciliation: "Reconciliation queue (conflicts queued for a person, resolution latency)",
  };
  const what: Record<string, string> = { regions: "region", replicationLagMs: "pair" };
  const scalars = entries.filter(([, v]) => v === null || typeof v !== "object");
  const parts = entries
    .filter(([, v]) => v !== null && typeof v === "object")
    .slice(0, 30)
    .map(([k, v]) => `<h4>${h(names[k] ?? k)}</h4>${valueTable(v, what[k] ?? "")}`);
  if (scalars.length) parts.unshift(valueTable(Object.fromEntries(scalars)));
  return `<h3>Signals</h3>${parts.join("\n")}`;
}

/** Static help text (no run data in it). */
const HOW_TO_READ = `<details><summary>How to read this report</summary><ul>
<li><b>ok</b>: the operation took effect. <b>no effect</b>: it definitely did not, and that was its correct answer (a compare-and-set whose compare did not match); not an error. <b>fail</b>: it definitely did not, because of an error. <b>info</b>: unknown (a timeout or a lost connection); it may take effect at any later time, so checkers treat it as concurrent with everything after it.</li>
<li><b>Not linearizable</b>: no order of the operations that respects real time (an operation that finished before another began comes first) explains what the reads returned. The timeline shows the operation that cannot be placed (red), the operations that overlap it (blue outline), and the longest legal order the checker found (#1, #2, ...): the model states listed are the only ones that order allows, and the red operation's result is impossible in all of them.</li>
<li><b>Stale read</b>: a read returned an older value than one whose write had already been acknowledged when the read began; typical of a replica that serves reads while replication lags or is cut.</li>
<li><b>Elle cycles</b> (G0, G1c, G-single, G2-item, ...): transactions that must each come before the next, round a circle: a contradiction no serial order can explain. <b>ww</b>: overwrote its write; <b>wr</b>: read its write; <b>rw</b>: read a version the next one overwrote; <b>process</b> and <b>realtime</b>: order from the same client or from wall-clock time.</li>
<li>Shaded bands are fault windows, from the nemesis's start to its stop; the faults table counts the anomalies that fell inside each.</li>
</ul></details>`;

// ---------------------------------------------------------------------------------------------

/** Ticks mark the anomalies checkers listed; when they counted more, say how many are shown. */
function tickNote(results: Results): string {
  const cs = Object.values(results.checkers);
  const listed = cs.reduce((n, c) => n + (c.anomalies ?? []).length, 0);
  const total = cs.reduce((n, c) => n + (c.valid === false || c.anomalies?.length ? anomalyTotal(c) : 0), 0);
  return listed < total
    ? ` Showing ${h(listed)} of ${h(total)} anomalies (the rest were counted, not listed).`
    : "";
}

export function renderReport(input: ReportInput & { runDir?: string }): string {
  const ops = indexOperations(input.history);
  const counts = countOps(ops.intervals, ops.hasTimes);
  const charts = chartData(ops, input.metrics);
  const assets = reportAssets();
  const overviewSvg = renderOverviewSvg(input.results, ops);
  const overview = overviewSvg
    ? `<div class="figure overview-wrap">${overviewSvg}<p class="note">Each tick is an anomaly at the time it happened; shaded bands are fault windows.${tickNote(input.results)}</p></div>`
    : "";
  const title = `${WORD[String(input.results.valid)] ?? "?"}: ${String(asRecord(input.test).name ?? "faultline run")}`;
  const lagNote = charts.lag
    ? `<p class="note">Each dot is one probe: a row written on one side, placed at the time it was written; its height is how long it took to become visible on the other side. While replication is cut no probe arrives, so the first one written in a cut shows the cut's length.</p>`
    : `<p class="note">No replication lag was measured in this run (metrics.jsonl has no <code>lag</code> entries).</p>`;
  const latencyNote = charts.latency.length
    ? `<p class="note">Each dot is one operation at the time it was invoked; shaded bands are fault windows. Drag across a chart to zoom, double-click to reset.</p>`
    : `<p class="note">No latency to draw: the history has no times.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${h(title)}</title>
<style>${assets.uplotCss}</style>
<style>${assets.reportCss}</style>
</head><body>
<nav><a href="#verdict">Verdict</a><a href="#anomalies">Anomalies</a><a href="#latency">Latency</a><a href="#lag">Replication lag</a><a href="#faults">Faults</a><a href="#counts">Counts</a><a href="#config">Test</a></nav>
<main>
${renderTestLine(input.test, input.runDir)}
${renderVerdict(input, ops)}
${renderStats(ops, counts.total)}
${overview}
<h2 id="checkers">Checkers</h2>
${renderCheckerTable(input.results)}
<h2 id="anomalies">Anomalies</h2>
${renderAnomalies(input.results, ops)}
${renderExpectedCosts(input.results.checkers)}
<h2 id="latency">Latency over time</h2>
${latencyNote}
<div id="latency-charts" class="chart-slot"></div>
<h2 id="lag">Replication lag</h2>
${lagNote}
<div id="lag-chart" class="chart-slot"></div>
${renderConflicts(input.results.signals)}
${charts.signals.length ? `<h3>Other measured signals</h3><div id="signal-charts" class="chart-slot"></div>` : ""}
<h2 id="faults">Faults</h2>
${renderFaults(input.results, ops)}
<h3>Schedule (as run)</h3>
${renderSchedule(input.test)}
<h2 id="counts">Operations by region and kind</h2>
${renderCounts(ops.intervals, ops.hasTimes)}
${renderSignals(input.results.signals)}
<h2 id="config">Test configuration</h2>
${renderConfig(input.test)}
${HOW_TO_READ}
<p class="note">Generated by faultline. Times are seconds since the run started. This page works offline.</p>
</main>
<script type="application/json" id="chart-data">${jsonForScript(charts)}</script>
<script>${assets.uplotJs}</script>
<script>${assets.chartsJs}</script>
</body></html>
`;
}
