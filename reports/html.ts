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
import type { Anomaly, CheckerResult, Results, Validity } from "../checkers/verdict.ts";
import { reportAssets } from "./assets.ts";
import { chartData } from "./chart-data.ts";
import { countOps, type OpCounts } from "./counts.ts";
import { cycleGraph } from "./cycle-detail.ts";
import { renderCycleSvg } from "./cycle-svg.ts";
import { compactValue, escapeHtml as h, jsonForScript } from "./escape.ts";
import { linearDetail } from "./linear-detail.ts";
import {
  type FaultWindow,
  faultsAt,
  indexOperations,
  intervalFor,
  type OperationIndex,
  type OpInterval,
  type OpLike,
} from "./operations.ts";
import { renderOverviewSvg } from "./overview-svg.ts";
import { formatSeconds } from "./svg.ts";
import { LINEARIZED_TAIL, renderTimelineSvg } from "./timeline-svg.ts";
import { countNoun, describeFault, subjectOp, verdictText } from "./verdict-text.ts";

export interface ReportInput {
  /** The parsed test.json (config with seed and schedule); shown, never trusted. */
  test: unknown;
  results: Results;
  history: History;
  /** Parsed metrics.jsonl lines, if the run recorded any. */
  metrics?: object[];
}

/** Caps that keep the page fast on 100k-op histories; each cap is announced where it cuts. */
export const LIMITS = {
  anomalyCardsPerChecker: 25,
  anomalyRowsPerChecker: 500,
  opsPerAnomaly: 40,
  figuresPerChecker: 8,
  scheduleRows: 200,
  faultRows: 200,
} as const;

const WORD: Record<string, string> = { true: "Valid", false: "Invalid", unknown: "Unknown" };

function validityClass(v: Validity): string {
  return v === true ? "valid" : v === false ? "invalid" : "unknown";
}

function validityCell(v: Validity): string {
  return `<span class="v-${String(v)}">${h(WORD[String(v)] ?? String(v))}</span>`;
}

function ms(x: number | undefined): string {
  if (x === undefined) return "";
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function timeCell(ops: OperationIndex, t: number | undefined): string {
  if (t === undefined) return "";
  return ops.hasTimes ? formatSeconds(t) : `#${t}`;
}

function asRecord(x: unknown): Record<string, unknown> {
  return x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
}

// ---------------------------------------------------------------------------------------------
// Header: the verdict, then the numbers.

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
${chips ? `<div class="chips">${chips}</div>` : ""}
</section>`;
}

function renderStats(ops: OperationIndex, total: OpCounts): string {
  const duration = ops.hasTimes ? formatSeconds(ops.endTime) : `${ops.endTime + 1} history lines`;
  const stat = (k: string, v: string | number, cls = "") =>
    `<div class="stat ${cls}"><div class="v">${h(v)}</div><div class="k">${h(k)}</div></div>`;
  return `<div class="stats">${[
    stat("operations", total.ops),
    stat("ok", total.ok),
    stat("fail (no effect)", total.fail),
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
    const count = (c.anomalies ?? []).length;
    return `<tr><td><a href="#checker-${i}">${h(name)}</a></td><td>${validityCell(c.valid)}</td><td>${h((c.anomalyTypes ?? []).join(", "))}</td><td class="num">${h(count)}</td><td>${h(c.reason ?? "")}</td><td class="note">${h(stats)}</td></tr>`;
  });
  if (!rows.length) return `<p class="note">No checker results.</p>`;
  return `<table><thead><tr><th>checker</th><th>verdict</th><th>anomaly types</th><th class="num">anomalies</th><th>reason</th><th>stats</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function opsTable(
  list: OpInterval[],
  ops: OperationIndex,
  failing?: OpInterval,
  roles?: Map<OpInterval, string>,
): string {
  const shown = list.slice(0, LIMITS.opsPerAnomaly);
  const rows = shown.map((iv) => {
    const lat =
      ops.hasTimes && iv.completeTime !== undefined ? ms((iv.completeTime - iv.invokeTime) / 1e6) : "";
    const during = faultsAt(ops.faults, iv.completeTime ?? iv.invokeTime)
      .map(describeFault)
      .join("; ");
    const role = roles?.get(iv) ?? "";
    return `<tr${iv === failing ? ' class="failing"' : ""}><td class="num">${h(iv.completeIndex ?? iv.invokeIndex)}</td><td>${h(iv.process)}</td><td>${h(iv.region ?? "")}</td><td>${h(iv.node ?? "")}</td><td>${h(iv.f)}</td><td class="value">${h(compactValue(iv.value, 300))}</td><td class="t-${h(iv.type)}">${h(iv.type)}${iv.error ? ` (${h(compactValue(iv.error, 80))})` : ""}</td><td class="num">${h(timeCell(ops, iv.invokeTime))}</td><td class="num">${h(timeCell(ops, iv.completeTime))}</td><td class="num">${h(lat)}</td>${roles ? `<td>${h(role)}</td>` : ""}<td class="note">${h(during)}</td></tr>`;
  });
  const more =
    list.length > shown.length
      ? `<p class="note">Showing ${shown.length} of ${list.length} operations.</p>`
      : "";
  return `<table><thead><tr><th class="num">index</th><th>process</th><th>region</th><th>node</th><th>f</th><th>value</th><th>result</th><th class="num">invoked</th><th class="num">completed</th><th class="num">ms</th>${roles ? "<th>role</th>" : ""}<th>during fault</th></tr></thead><tbody>${rows.join("")}</tbody></table>${more}`;
}

function uniqueIntervals(list: OpLike[], ops: OperationIndex): OpInterval[] {
  const seen = new Set<OpInterval>();
  const out: OpInterval[] = [];
  for (const op of list) {
    if (!op || typeof op !== "object") continue;
    const iv = intervalFor(ops, op);
    if (!seen.has(iv)) {
      seen.add(iv);
      out.push(iv);
    }
  }
  return out.sort((a, b) => a.invokeTime - b.invokeTime);
}

const TIMELINE_LEGEND = `<div class="legend"><span><i class="sw" style="background:#fecaca;border-color:#b91c1c"></i>cannot be linearized</span><span><i class="sw" style="background:#fff;border:2px solid #2563eb"></i>concurrent with it</span><span><i class="sw" style="background:#cfe8d5;border-color:#15803d"></i>#n: order in the longest partial linearization</span><span><i class="sw" style="background:#fde2b8"></i>info (unknown outcome)</span><span><i class="sw" style="background:rgba(220,38,38,.12);border-color:rgba(220,38,38,.5)"></i>fault window</span></div>`;

/** The linearizability view: timeline, states before the failure, ops with their roles. */
function linearView(
  a: Anomaly,
  ops: OperationIndex,
): { figure: string; list: OpInterval[]; failing?: OpInterval; roles: Map<OpInterval, string> } | undefined {
  const d = linearDetail(a);
  if (!d.failing && !d.linearized.length && !d.concurrent.length && a.type !== "nonlinearizable")
    return undefined;
  const svg = renderTimelineSvg(a, ops);
  const roles = new Map<OpInterval, string>();
  const failing = d.failing ? intervalFor(ops, d.failing) : undefined;
  const tail = d.linearized.slice(-LINEARIZED_TAIL);
  const first = d.omitted + d.linearized.length - tail.length + 1;
  tail.forEach((step, i) => {
    const state = step.stateAfter !== undefined ? ` (then ${compactValue(step.stateAfter, 40)})` : "";
    roles.set(intervalFor(ops, step.op), `linearized #${first + i}${state}`);
  });
  for (const op of d.concurrent) {
    const iv = intervalFor(ops, op);
    roles.set(iv, roles.has(iv) ? `${roles.get(iv)}, concurrent` : "concurrent");
  }
  if (failing) roles.set(failing, "cannot be linearized");
  const list = uniqueIntervals(
    [
      ...(d.failing ? [d.failing] : []),
      ...d.concurrent,
      ...tail.map((s) => s.op),
      ...(Array.isArray(a.ops) ? a.ops : []),
    ],
    ops,
  );
  let states = "";
  if (d.statesBefore.length) {
    const shown = d.statesBefore.slice(0, 8).map((s) => `<code>${h(compactValue(s, 160))}</code>`);
    states = `<p class="note">Model states possible just before it: ${shown.join(", ")}${d.statesBefore.length > 8 ? `, and ${d.statesBefore.length - 8} more` : ""}.</p>`;
  }
  const total = d.omitted + d.linearized.length;
  const partial = total
    ? `<p class="note">The longest partial linearization found has ${h(total)} operations; the last ${h(tail.length)} are numbered in the picture.</p>`
    : "";
  const figure = svg
    ? `<div class="figure">${svg}</div>${TIMELINE_LEGEND}${partial}${states}`
    : `${partial}${states}`;
  return { figure, list, failing, roles };
}

/** The Elle view: the cycle drawn, its transactions, and each edge in words. */
function cycleView(a: Anomaly): { figure: string; indexes: number[] } | undefined {
  const g = cycleGraph(a);
  if (!g) return undefined;
  const label = new Map(g.nodes.map((node) => [node.id, node.label]));
  const txns = g.nodes.map((node) => `<li><code>${h(compactValue(node.detail, 240))}</code></li>`).join("");
  const words = g.edges
    .map(
      (e) =>
        `<li><span class="kind kind-${h(e.label)}">${h(e.label)}</span> ${e.explanation ? h(e.explanation) : `<b>${h(label.get(e.from) ?? e.from)} → ${h(label.get(e.to) ?? e.to)}</b>`}</li>`,
    )
    .join("");
  const figure = `<div class="cycle-wrap"><div class="figure">${renderCycleSvg(g)}</div><div class="cycle-text"><p class="note">Transactions</p><ul>${txns}</ul><p class="note">Why each must precede the next</p><ul>${words}</ul></div></div>
<div class="legend"><span style="color:#2563eb">ww: overwrote its write</span><span style="color:#059669">wr: read its write</span><span style="color:#dc2626">rw: read a version it then overwrote</span><span style="color:#6b7280">process: same process, earlier</span><span style="color:#7c3aed">realtime: finished before it began</span></div>`;
  return { figure, indexes: g.nodes.map((n) => n.index).filter((i): i is number => i !== undefined) };
}

const SHOWN_KEYS = new Set(["type", "explanation", "ops", "key", "cycle"]);

function renderAnomaly(
  a: Anomaly,
  checker: string,
  ops: OperationIndex,
  id: string,
  withFigure: boolean,
): string {
  const subject = subjectOp(a, ops);
  const subjectIv = subject ? intervalFor(ops, subject) : undefined;
  const faults = subjectIv ? faultsAt(ops.faults, subjectIv.completeTime ?? subjectIv.invokeTime) : [];
  const when = subjectIv
    ? `<p class="when">${h(ops.hasTimes ? `At ${formatSeconds(subjectIv.completeTime ?? subjectIv.invokeTime)}` : `At history line ${subjectIv.invokeTime + 1}`)}${subjectIv.region ? h(` in ${subjectIv.region}`) : ""}${faults.length ? h(`, during ${faults.map(describeFault).join(" and ")}`) : ops.faults.length ? h(", with no fault active") : ""}.</p>`
    : "";
  const linear = withFigure ? linearView(a, ops) : undefined;
  const cycle = withFigure && !linear ? cycleView(a) : undefined;
  let opList = linear?.list.length ? linear.list : uniqueIntervals(Array.isArray(a.ops) ? a.ops : [], ops);
  if (!opList.length && cycle?.indexes.length) {
    opList = cycle.indexes.map((i) => ops.byIndex.get(i)).filter((iv): iv is OpInterval => iv !== undefined);
  }
  const failing = linear?.failing ?? subjectIv;
  const table = opList.length
    ? `<details${opList.length <= 25 ? " open" : ""}><summary>Operations (${h(opList.length)})</summary>${opsTable(opList, ops, failing, linear?.roles)}</details>`
    : "";
  const rest = Object.fromEntries(Object.entries(a).filter(([k]) => !SHOWN_KEYS.has(k)));
  const raw = Object.keys(rest).length
    ? `<details><summary>Checker detail (JSON)</summary><pre>${h(compactValue(rest, 6000))}</pre></details>`
    : "";
  const key = a.key !== undefined ? ` · key <code>${h(compactValue(a.key, 60))}</code>` : "";
  return `<article class="anomaly" id="${id}"><h3><span class="badge">${h(a.type)}</span>${h(checker)}${key}</h3>
<p class="explanation">${h(a.explanation ?? "")}</p>${when}${linear?.figure ?? ""}${cycle?.figure ?? ""}${table}${raw}</article>`;
}

function renderAnomalies(results: Results, ops: OperationIndex): string {
  const parts: string[] = [];
  Object.entries(results.checkers).forEach(([name, c]: [string, CheckerResult], ci) => {
    const list = c.anomalies ?? [];
    parts.push(
      `<h3 id="checker-${ci}" style="margin-top:18px">${h(name)}: ${validityCell(c.valid)}${list.length ? ` · ${h(list.length)} ${list.length === 1 ? "anomaly" : "anomalies"}` : ""}</h3>`,
    );
    if (c.reason) parts.push(`<p class="note">${h(c.reason)}</p>`);
    if (!list.length) {
      if (c.valid === false && (c.anomalyTypes ?? []).length)
        parts.push(
          `<p class="note">The checker reported ${h(c.anomalyTypes.join(", "))} without details.</p>`,
        );
      return;
    }
    const cards = list.slice(0, LIMITS.anomalyCardsPerChecker);
    cards.forEach((a, i) => {
      parts.push(renderAnomaly(a, name, ops, `anomaly-${ci}-${i}`, i < LIMITS.figuresPerChecker));
    });
    if (list.length > cards.length) {
      const rest = list.slice(cards.length, LIMITS.anomalyRowsPerChecker);
      const rows = rest.map((a) => {
        const s = subjectOp(a, ops);
        const iv = s ? intervalFor(ops, s) : undefined;
        return `<tr><td>${h(a.type)}</td><td>${h(compactValue(a.key, 40))}</td><td>${h(iv?.region ?? "")}</td><td class="num">${h(timeCell(ops, iv?.completeTime ?? iv?.invokeTime))}</td><td>${h(compactValue(a.explanation, 200))}</td></tr>`;
      });
      parts.push(
        `<details><summary>${h(list.length - cards.length)} more anomalies from ${h(name)}</summary><table><thead><tr><th>type</th><th>key</th><th>region</th><th class="num">at</th><th>explanation</th></tr></thead><tbody>${rows.join("")}</tbody></table>${list.length > LIMITS.anomalyRowsPerChecker ? `<p class="note">Listing ${h(LIMITS.anomalyRowsPerChecker)} of ${h(list.length)}; all are in results.json.</p>` : ""}</details>`,
      );
    }
  });
  return parts.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Counts, faults, schedule, config.

function renderCounts(intervals: OpInterval[], hasTimes: boolean): string {
  const t = countOps(intervals, hasTimes);
  const row = (name: string, c: OpCounts) =>
    `<tr><td>${h(name)}</td><td class="num">${h(c.ops)}</td><td class="num">${h(c.ok)}</td><td class="num">${h(c.fail)}</td><td class="num">${h(c.info)}</td><td class="num">${c.ops ? h(`${(((c.fail + c.info) / c.ops) * 100).toFixed(1)}%`) : ""}</td><td class="num">${h(ms(c.p50))}</td><td class="num">${h(ms(c.p95))}</td><td class="num">${h(ms(c.p99))}</td><td class="num">${h(ms(c.max))}</td></tr>`;
  const head = (what: string) =>
    `<thead><tr><th>${what}</th><th class="num">ops</th><th class="num">ok</th><th class="num">fail</th><th class="num">info</th><th class="num">not ok</th><th class="num">p50 ms</th><th class="num">p95 ms</th><th class="num">p99 ms</th><th class="num">max ms</th></tr></thead>`;
  return `<table>${head("region")}<tbody>${t.regions.map(([k, c]) => row(k, c)).join("")}${row("all regions", t.total)}</tbody></table>
<table>${head("operation")}<tbody>${t.fs.map(([k, c]) => row(k, c)).join("")}</tbody></table>`;
}

/** What a fault did, for the faults table: the nemesis's own words when it gave them. */
function faultWords(w: FaultWindow): string {
  if (typeof w.value === "string") return compactValue(w.value, 300);
  return describeFault(w).replace(w.f, "").trim() || compactValue(w.value, 300);
}

function renderFaults(results: Results, ops: OperationIndex): string {
  if (!ops.faults.length) return `<p class="note">No faults were injected in this run.</p>`;
  // How many anomalies fell inside each window: the link between what was done and what broke.
  const subjects: number[] = [];
  for (const c of Object.values(results.checkers)) {
    for (const a of c.anomalies ?? []) {
      const s = subjectOp(a, ops);
      if (s) {
        const iv = intervalFor(ops, s);
        subjects.push(iv.completeTime ?? iv.invokeTime);
      }
    }
  }
  const shown = ops.faults.slice(0, LIMITS.faultRows);
  const rows = shown.map((w, i) => {
    const inside = subjects.filter((t) => t >= w.start && (w.stop === undefined || t <= w.stop)).length;
    const dur = w.stop === undefined ? "until the end" : ops.hasTimes ? formatSeconds(w.stop - w.start) : "";
    const failed = w.error ? `<br><span class="v-false">failed: ${h(compactValue(w.error, 200))}</span>` : "";
    return `<tr><td class="num">${i + 1}</td><td>${h(w.f)}${failed}</td><td title="${h(compactValue(w.value, 1000))}">${h(faultWords(w))}</td><td class="num">${h(timeCell(ops, w.start))}</td><td class="num">${h(timeCell(ops, w.stop))}</td><td class="num">${h(dur)}</td><td class="num${inside ? " v-false" : ""}">${h(inside)}</td></tr>`;
  });
  return `<table><thead><tr><th class="num">#</th><th>fault</th><th>what was done</th><th class="num">start</th><th class="num">stop</th><th class="num">lasted</th><th class="num">anomalies inside</th></tr></thead><tbody>${rows.join("")}</tbody></table>${ops.faults.length > shown.length ? `<p class="note">Showing ${shown.length} of ${ops.faults.length} faults.</p>` : ""}`;
}

/** A fault spec in words: `isolate-region eu-west (blackhole)`, `latency us-east, eu-west 200 ms ±20`. */
function describeSpec(spec: Record<string, unknown>): string {
  const { kind: _kind, shape, mechanism, scope, ...rest } = spec;
  const parts: string[] = [];
  if (shape !== undefined) parts.push(String(shape));
  for (const [k, v] of Object.entries(rest))
    parts.push(`${k} ${Array.isArray(v) ? v.map(String).join(", ") : compactValue(v, 60)}`);
  const how = [mechanism, scope].filter((x) => x !== undefined).map(String);
  return `${parts.join(", ")}${how.length ? ` (${how.join(", ")})` : ""}`;
}

function renderSchedule(test: unknown): string {
  const schedule = asRecord(test).schedule;
  if (schedule === undefined) return `<p class="note">test.json has no schedule.</p>`;
  if (!Array.isArray(schedule)) return `<pre>${h(compactValue(schedule, 20000))}</pre>`;
  if (!schedule.length) return `<p class="note">The schedule is empty: no faults were planned.</p>`;
  const rows = schedule.slice(0, LIMITS.scheduleRows).map(asRecord);
  const more =
    schedule.length > rows.length
      ? `<p class="note">Showing ${rows.length} of ${schedule.length} entries.</p>`
      : "";
  // The harness's ScheduledFault: { atMs, durationMs, spec: { kind, ... } }.
  if (rows.every((r) => typeof r.atMs === "number" && r.spec && typeof r.spec === "object")) {
    const body = rows
      .map((r, i) => {
        const spec = asRecord(r.spec);
        return `<tr><td class="num">${i + 1}</td><td class="num">${h(((r.atMs as number) / 1000).toFixed(2))} s</td><td class="num">${typeof r.durationMs === "number" ? h((r.durationMs / 1000).toFixed(2)) : ""} s</td><td>${h(compactValue(spec.kind, 40))}</td><td>${h(compactValue(describeSpec(spec), 300))}</td></tr>`;
      })
      .join("");
    return `<table><thead><tr><th class="num">#</th><th class="num">at</th><th class="num">for</th><th>fault</th><th>what</th></tr></thead><tbody>${body}</tbody></table>${more}`;
  }
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))].slice(0, 10);
  const body = rows
    .map(
      (r) => `<tr>${cols.map((c) => `<td class="value">${h(compactValue(r[c], 160))}</td>`).join("")}</tr>`,
    )
    .join("");
  return `<table><thead><tr>${cols.map((c) => `<th>${h(c)}</th>`).join("")}</tr></thead><tbody>${body}</tbody></table>${more}`;
}

function renderConfig(test: unknown): string {
  const t = asRecord(test);
  const rows = Object.entries(t)
    .filter(([k]) => k !== "schedule")
    .map(([k, v]) => `<tr><th>${h(k)}</th><td class="value">${h(compactValue(v, 400))}</td></tr>`)
    .join("");
  return rows ? `<table><tbody>${rows}</tbody></table>` : `<p class="note">test.json is empty.</p>`;
}

function renderSignals(signals: Record<string, unknown> | undefined): string {
  const entries = Object.entries(signals ?? {});
  if (!entries.length) return "";
  const rows = entries
    .slice(0, 100)
    .map(([k, v]) => `<tr><th>${h(k)}</th><td class="value">${h(compactValue(v, 400))}</td></tr>`)
    .join("");
  return `<h3>Signals</h3><table><tbody>${rows}</tbody></table>`;
}

/** Static help text (no run data in it). */
const HOW_TO_READ = `<details><summary>How to read this report</summary><ul>
<li><b>ok</b>: the operation took effect. <b>fail</b>: it definitely did not. <b>info</b>: unknown (a timeout or a lost connection); it may take effect at any later time, so checkers treat it as concurrent with everything after it.</li>
<li><b>Not linearizable</b>: no order of the operations that respects real time (an operation that finished before another began comes first) explains what the reads returned. The timeline shows the operation that cannot be placed (red), the operations that overlap it (blue outline), and the longest legal order the checker found (#1, #2, ...): the model states listed are the only ones that order allows, and the red operation's result is impossible in all of them.</li>
<li><b>Stale read</b>: a read returned an older value than one whose write had already been acknowledged when the read began; typical of a replica that serves reads while replication lags or is cut.</li>
<li><b>Elle cycles</b> (G0, G1c, G-single, G2-item, ...): transactions that must each come before the next, round a circle: a contradiction no serial order can explain. <b>ww</b>: overwrote its write; <b>wr</b>: read its write; <b>rw</b>: read a version the next one overwrote; <b>process</b> and <b>realtime</b>: order from the same client or from wall-clock time.</li>
<li>Shaded bands are fault windows, from the nemesis's start to its stop; the faults table counts the anomalies that fell inside each.</li>
</ul></details>`;

// ---------------------------------------------------------------------------------------------

export function renderReport(input: ReportInput & { runDir?: string }): string {
  const ops = indexOperations(input.history);
  const counts = countOps(ops.intervals, ops.hasTimes);
  const charts = chartData(ops, input.metrics);
  const assets = reportAssets();
  const overviewSvg = renderOverviewSvg(input.results, ops);
  const overview = overviewSvg
    ? `<div class="figure overview-wrap">${overviewSvg}<p class="note">Each tick is an anomaly at the time it happened; shaded bands are fault windows.</p></div>`
    : "";
  const title = `${WORD[String(input.results.valid)] ?? "?"}: ${String(asRecord(input.test).name ?? "faultline run")}`;
  const lagNote = charts.lag
    ? ""
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
<h2 id="latency">Latency over time</h2>
${latencyNote}
<div id="latency-charts" class="chart-slot"></div>
<h2 id="lag">Replication lag</h2>
${lagNote}
<div id="lag-chart" class="chart-slot"></div>
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
