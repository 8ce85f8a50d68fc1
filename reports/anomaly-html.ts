/**
 * The report's anomaly section: per checker, each anomaly with its explanation, when and where
 * it happened, a picture (the per-process timeline for linearizability, the cycle graph for
 * Elle) and the operations involved. Every value is escaped.
 */
import { type Anomaly, anomalyTotal, type CheckerResult, type Results } from "../checkers/verdict.ts";
import { ms, timeCell, validityCell } from "./cells.ts";
import { cycleGraph } from "./cycle-detail.ts";
import { renderCycleSvg } from "./cycle-svg.ts";
import { jepsenDetail } from "./jepsen-detail.ts";
import { ruledOutHtml } from "./ruled-out.ts";
import { compactValue, escapeHtml as h } from "./escape.ts";
import { linearDetail } from "./linear-detail.ts";
import { faultsAt, intervalFor, type OperationIndex, type OpInterval, type OpLike } from "./operations.ts";
import { formatSeconds } from "./svg.ts";
import { LINEARIZED_TAIL, renderTimelineSvg } from "./timeline-svg.ts";
import { describeFault, subjectOp } from "./verdict-text.ts";

/** Caps that keep the page fast on 100k-op histories; each cap is announced where it cuts. */
export const LIMITS = {
  anomalyCardsPerChecker: 25,
  anomalyRowsPerChecker: 500,
  opsPerAnomaly: 40,
  figuresPerChecker: 8,
} as const;

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
  // Elle's own wording of the argument: "Let: T1 = ... Then: ... a contradiction!"
  const argument = g.text
    ? `<details><summary>The argument, as Elle states it</summary><pre class="cycle-argument">${h(g.text)}</pre></details>`
    : "";
  const figure = `<div class="cycle-wrap"><div class="figure">${renderCycleSvg(g)}</div><div class="cycle-text"><p class="note">Transactions (micro-ops as completed)</p><ul>${txns}</ul><p class="note">Why each must precede the next</p><ul>${words}</ul></div></div>${argument}
<div class="legend"><span style="color:#2563eb">ww: overwrote its write</span><span style="color:#059669">wr: read its write</span><span style="color:#dc2626">rw: read a version it then overwrote</span><span style="color:#6b7280">process: same process, earlier</span><span style="color:#7c3aed">realtime: finished before it began</span></div>`;
  return { figure, indexes: g.nodes.map((n) => n.index).filter((i): i is number => i !== undefined) };
}

const SHOWN_KEYS = new Set(["type", "explanation", "ops", "key", "cycle", "rulesOut", "alsoRulesOut"]);

function renderAnomaly(
  a: Anomaly,
  checker: string,
  ops: OperationIndex,
  id: string,
  withFigure: boolean,
  /** The first anomaly of a checker shows its operations open; the rest keep the page short. */
  first: boolean,
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
    ? `<details${first && opList.length <= 25 ? " open" : ""}><summary>Operations (${h(opList.length)})</summary>${opsTable(opList, ops, failing, linear?.roles)}</details>`
    : "";
  const rest = Object.fromEntries(Object.entries(a).filter(([k]) => !SHOWN_KEYS.has(k)));
  const raw = Object.keys(rest).length
    ? `<details><summary>Checker detail (JSON)</summary><pre>${h(compactValue(rest, 6000))}</pre></details>`
    : "";
  const key = a.key !== undefined ? ` · key <code>${h(compactValue(a.key, 60))}</code>` : "";
  return `<article class="anomaly" id="${id}"><h3><span class="badge">${h(a.type)}</span>${h(checker)}${key}</h3>
<p class="explanation">${h(a.explanation ?? "")}</p>${ruledOutHtml("Rules out", a.rulesOut, a.alsoRulesOut)}${jepsenDetail(a)}${when}${linear?.figure ?? ""}${cycle?.figure ?? ""}${table}${raw}</article>`;
}

export function renderAnomalies(results: Results, ops: OperationIndex): string {
  const parts: string[] = [];
  Object.entries(results.checkers).forEach(([name, c]: [string, CheckerResult], ci) => {
    const list = c.anomalies ?? [];
    // The checker's count, which may exceed what it listed; same number as the headline and table.
    const total = c.valid === false || list.length ? anomalyTotal(c) : 0;
    const listed = list.length < total ? ` (${h(list.length)} listed in detail)` : "";
    parts.push(
      `<h3 id="checker-${ci}" style="margin-top:18px">${h(name)}: ${validityCell(c.valid)}${total ? ` · ${h(total)} ${total === 1 ? "anomaly" : "anomalies"}${listed}` : ""}</h3>`,
    );
    if (c.reason) parts.push(`<p class="note">${h(c.reason)}</p>`);
    // Elle: the consistency models this history cannot satisfy.
    parts.push(ruledOutHtml("This history is not", c.not, c.alsoNot));
    if (!list.length) {
      if (c.valid === false && (c.anomalyTypes ?? []).length)
        parts.push(
          `<p class="note">The checker reported ${h(c.anomalyTypes.join(", "))} without details.</p>`,
        );
      return;
    }
    const cards = list.slice(0, LIMITS.anomalyCardsPerChecker);
    cards.forEach((a, i) => {
      parts.push(renderAnomaly(a, name, ops, `anomaly-${ci}-${i}`, i < LIMITS.figuresPerChecker, i === 0));
    });
    if (list.length > cards.length) {
      const rest = list.slice(cards.length, LIMITS.anomalyRowsPerChecker);
      const rows = rest.map((a) => {
        const s = subjectOp(a, ops);
        const iv = s ? intervalFor(ops, s) : undefined;
        return `<tr><td>${h(a.type)}</td><td>${h(compactValue(a.key, 40))}</td><td>${h(iv?.region ?? "")}</td><td class="num">${h(timeCell(ops, iv?.completeTime ?? iv?.invokeTime))}</td><td>${h(compactValue(a.explanation, 200))}</td></tr>`;
      });
      parts.push(
        `<details><summary>${h(list.length - cards.length)} more anomalies from ${h(name)}</summary><table><thead><tr><th>type</th><th>key</th><th>region</th><th class="num">at</th><th>explanation</th></tr></thead><tbody>${rows.join("")}</tbody></table>${total > cards.length + rest.length ? `<p class="note">Showing ${h(cards.length + rest.length)} of ${h(total)}; ${list.length < total ? "the checker counted the rest without listing them" : "all are in results.json"}.</p>` : ""}</details>`,
      );
    }
  });
  return parts.join("\n");
}
