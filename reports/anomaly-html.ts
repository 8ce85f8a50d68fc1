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
import {
  type FaultWindow,
  faultsAt,
  intervalFor,
  type OperationIndex,
  type OpInterval,
  type OpLike,
} from "./operations.ts";
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

/** Set anomalies are about elements added and read, not linearization: they get their own words. */
const SET_TYPES = new Set(["lost-write", "stale-read", "unexpected", "duplicate", "never-read"]);

const SET_ROLES: Record<string, { subject: string; other: string }> = {
  "lost-write": { subject: "the add that was lost", other: "a later read that does not hold it" },
  "stale-read": { subject: "the stale read", other: "an add it misses, already known before it began" },
};

const SET_LEGEND = (type: string) => {
  const r = SET_ROLES[type] ?? { subject: "the operation that shows it", other: "an operation it concerns" };
  return `<div class="legend"><span><i class="sw" style="background:#fecaca;border-color:#b91c1c"></i>${h(r.subject)}</span><span><i class="sw" style="background:#fff;border:2px solid #2563eb"></i>${h(r.other)}</span><span><i class="sw" style="background:#fde2b8"></i>info (unknown outcome)</span><span><i class="sw" style="background:rgba(220,38,38,.12);border-color:rgba(220,38,38,.5)"></i>fault window</span></div>`;
};

/** The set view: the timeline around the anomaly, its operations named in set terms. */
function setView(
  a: Anomaly,
  ops: OperationIndex,
): { figure: string; list: OpInterval[]; failing?: OpInterval; roles: Map<OpInterval, string> } | undefined {
  const subject = subjectOp(a, ops);
  const failing = subject ? intervalFor(ops, subject) : undefined;
  const list = uniqueIntervals(Array.isArray(a.ops) ? a.ops : [], ops);
  const r = SET_ROLES[a.type] ?? { subject: a.type, other: "related" };
  const roles = new Map<OpInterval, string>();
  for (const iv of list) roles.set(iv, r.other);
  if (failing) roles.set(failing, r.subject);
  const svg = renderTimelineSvg(a, ops);
  const figure = svg ? `<div class="figure">${svg}</div>${SET_LEGEND(a.type)}` : "";
  return { figure, list, failing, roles };
}

/** The linearizability view: timeline, states before the failure, ops with their roles. */
function linearView(
  a: Anomaly,
  ops: OperationIndex,
): { figure: string; list: OpInterval[]; failing?: OpInterval; roles: Map<OpInterval, string> } | undefined {
  if (SET_TYPES.has(a.type)) return setView(a, ops);
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

/** Lost writes that happened under one fault window are one finding, shown as one card. */
interface LostGroup {
  lostGroup: true;
  group: Anomaly[];
  fault?: FaultWindow;
}

function groupLostWrites(list: Anomaly[], ops: OperationIndex): (Anomaly | LostGroup)[] {
  const groups = new Map<string, LostGroup>();
  const items: (Anomaly | LostGroup)[] = [];
  for (const a of list) {
    if (a.type !== "lost-write") {
      items.push(a);
      continue;
    }
    const s = subjectOp(a, ops);
    const iv = s ? intervalFor(ops, s) : undefined;
    const t = iv ? (iv.completeTime ?? iv.invokeTime) : undefined;
    const fault = t === undefined ? undefined : faultsAt(ops.faults, t)[0];
    const k = fault ? `${fault.start}` : "none";
    const g = groups.get(k);
    if (g) g.group.push(a);
    else {
      const created: LostGroup = { lostGroup: true, group: [a], fault };
      groups.set(k, created);
      items.push(created);
    }
  }
  // A group of one is just that anomaly.
  return items.map((x) => (isGroup(x) && x.group.length === 1 ? x.group[0] : x));
}

const isGroup = (x: Anomaly | LostGroup): x is LostGroup => (x as LostGroup).lostGroup === true;

const LOST_ROWS = 200;

function renderLostGroup(
  group: Anomaly[],
  fault: FaultWindow | undefined,
  checker: string,
  ops: OperationIndex,
  id: string,
  withFigure: boolean,
): string {
  const acked = group.filter((a) => a.acknowledged !== false).length;
  const keys = [...new Set(group.map((a) => compactValue(a.key, 40)))];
  const during = fault ? `during ${describeFault(fault)}` : ops.faults.length ? "with no fault active" : "";
  const rows = group.slice(0, LOST_ROWS).map((a) => {
    const add = subjectOp(a, ops);
    const addIv = add ? intervalFor(ops, add) : undefined;
    const reads = (Array.isArray(a.ops) ? a.ops : []).filter((o) => o && o !== a.op);
    const readIv = reads[0] ? intervalFor(ops, reads[0]) : undefined;
    return `<tr><td><code>${h(compactValue(a.element, 40))}</code></td><td>${h(compactValue(a.key, 40))}</td><td>${h(a.acknowledged === false ? "unknown outcome, seen by a read" : "acknowledged")}</td><td>${h(addIv?.node ?? addIv?.region ?? "")}</td><td class="num">${h(timeCell(ops, addIv?.completeTime ?? addIv?.invokeTime))}</td><td class="num">${h(timeCell(ops, readIv?.completeTime ?? readIv?.invokeTime))}</td><td>${h(readIv?.node ?? readIv?.region ?? "")}</td></tr>`;
  });
  const more =
    group.length > rows.length
      ? `<p class="note">Showing ${h(rows.length)} of ${h(group.length)}; all are in results.json.</p>`
      : "";
  const first = withFigure ? setView(group[0], ops)?.figure : "";
  return `<article class="anomaly" id="${id}"><h3><span class="badge">lost-write</span>${h(checker)} · ${h(group.length)} adds lost${keys.length <= 3 ? ` · key ${h(keys.join(", "))}` : ` · ${h(keys.length)} keys`}</h3>
<p class="explanation">${h(`${group.length} adds (${acked} of them acknowledged) ${during ? `made ${during} ` : ""}are missing from every read that began after them; no later read saw them again.`)}</p>${first ?? ""}
<details open><summary>The lost adds (${h(group.length)})</summary><table><thead><tr><th>element</th><th>key</th><th>add</th><th>node</th><th class="num">added at</th><th class="num">first read without it</th><th>read on</th></tr></thead><tbody>${rows.join("")}</tbody></table>${more}</details></article>`;
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
    const cards = groupLostWrites(list, ops).slice(0, LIMITS.anomalyCardsPerChecker);
    const inCards = new Set<Anomaly>();
    cards.forEach((item, i) => {
      const id = `anomaly-${ci}-${i}`;
      if (isGroup(item)) {
        for (const a of item.group) inCards.add(a);
        parts.push(renderLostGroup(item.group, item.fault, name, ops, id, i < LIMITS.figuresPerChecker));
      } else {
        inCards.add(item);
        parts.push(renderAnomaly(item, name, ops, id, i < LIMITS.figuresPerChecker, i === 0));
      }
    });
    const remaining = list.filter((a) => !inCards.has(a));
    if (remaining.length) {
      const rest = remaining.slice(0, LIMITS.anomalyRowsPerChecker - inCards.size);
      const rows = rest.map((a) => {
        const s = subjectOp(a, ops);
        const iv = s ? intervalFor(ops, s) : undefined;
        return `<tr><td>${h(a.type)}</td><td>${h(compactValue(a.key, 40))}</td><td>${h(iv?.region ?? "")}</td><td class="num">${h(timeCell(ops, iv?.completeTime ?? iv?.invokeTime))}</td><td>${h(compactValue(a.explanation, 200))}</td></tr>`;
      });
      parts.push(
        `<details><summary>${h(remaining.length)} more anomalies from ${h(name)}</summary><table><thead><tr><th>type</th><th>key</th><th>region</th><th class="num">at</th><th>explanation</th></tr></thead><tbody>${rows.join("")}</tbody></table>${total > inCards.size + rest.length ? `<p class="note">Showing ${h(inCards.size + rest.length)} of ${h(total)}; ${list.length < total ? "the checker counted the rest without listing them" : "all are in results.json"}.</p>` : ""}</details>`,
      );
    }
  });
  return parts.join("\n");
}
