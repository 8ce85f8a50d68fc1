/**
 * Small pictures for the anomalies of Jepsen's bank, counter and long-fork checkers, shown under
 * the explanation: the balances a bank read saw against the total, a counter read against its
 * bounds, and the two reads of a long fork side by side on the keys they both read. Read
 * defensively (results.json is data), every value escaped.
 */
import type { Anomaly } from "../checkers/verdict.ts";
import { compactValue, escapeHtml as h } from "./escape.ts";

function record(x: unknown): Record<string, unknown> | undefined {
  return x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;
}

const num = (x: unknown): number | undefined => (typeof x === "number" && Number.isFinite(x) ? x : undefined);

function bankView(a: Anomaly): string {
  const balances = record(record(a.op)?.value);
  if (!balances) return "";
  const entries = Object.entries(balances);
  const sum = entries.reduce((s, [, b]) => s + (num(b) ?? 0), 0);
  const negative = new Set(entries.filter(([, b]) => (num(b) ?? 0) < 0).map(([k]) => k));
  const cells = entries
    .map(
      ([k, b]) =>
        `<td${negative.has(k) || b === null ? ' class="failing"' : ""}>${h(compactValue(b, 20))}</td>`,
    )
    .join("");
  const expected = num(a.expected);
  const total =
    expected !== undefined
      ? `<td class="failing">${h(sum)} (total ${h(expected)})</td>`
      : `<td>${h(sum)}</td>`;
  return `<table class="jepsen-detail"><thead><tr><th>account</th>${entries.map(([k]) => `<th>${h(k)}</th>`).join("")}<th>sum</th></tr></thead><tbody><tr><th>balance</th>${cells}${total}</tr></tbody></table>`;
}

function counterView(a: Anomaly): string {
  const lower = num(a.lower);
  const upper = num(a.upper);
  const value = num(a.value);
  if (lower === undefined || upper === undefined || value === undefined) return "";
  return `<p class="jepsen-detail">Allowed: <b>${h(lower)}</b> (acknowledged increments before the read began) to <b>${h(upper)}</b> (every increment that may have happened before it completed); read: <b class="failing">${h(value)}</b>.</p>`;
}

/** Reads as {key -> value} from `[["r", k, v], ...]`. */
function readMap(op: unknown): Map<string, { key: unknown; value: unknown }> | undefined {
  const v = record(op)?.value;
  if (!Array.isArray(v)) return undefined;
  const m = new Map<string, { key: unknown; value: unknown }>();
  for (const mop of v) {
    if (Array.isArray(mop) && mop.length >= 2)
      m.set(JSON.stringify(mop[1]), { key: mop[1], value: mop[2] ?? null });
  }
  return m;
}

/** Jepsen's word for a key not yet written. */
const shown = (v: unknown) => (v === null ? "nil" : compactValue(v, 40));

function longForkView(a: Anomaly): string {
  const reads = Array.isArray(a.reads) ? a.reads : [];
  const A = readMap(reads[0]);
  const B = readMap(reads[1]);
  if (!A || !B) return "";
  const forked = new Set((Array.isArray(a.keys) ? a.keys : []).map((k) => JSON.stringify(k)));
  const rows = [...A.keys()]
    .filter((k) => B.has(k))
    .map((k) => {
      const cls = forked.has(k) ? ' class="failing"' : "";
      return `<tr${cls}><td>${h(compactValue(A.get(k)!.key, 40))}</td><td>${h(shown(A.get(k)!.value))}</td><td>${h(shown(B.get(k)!.value))}</td></tr>`;
    })
    .join("");
  const where = (op: unknown) => {
    const r = record(op);
    return typeof r?.line === "number" ? `line ${r.line}` : `index ${String(r?.index ?? "?")}`;
  };
  return `<table class="jepsen-detail"><thead><tr><th>key</th><th>read at ${h(where(reads[0]))}</th><th>read at ${h(where(reads[1]))}</th></tr></thead><tbody>${rows}</tbody></table><p class="note">nil: the write of that key was not visible to the read. Each read saw one of the two marked writes but not the other.</p>`;
}

/** The picture for a bank, counter or long-fork anomaly; empty for anything else. */
export function jepsenDetail(a: Anomaly): string {
  switch (a.type) {
    case "wrong-total":
    case "negative-value":
    case "nil-balance":
    case "unexpected-key":
      return bankView(a);
    case "counter-out-of-range":
      return counterView(a);
    case "long-fork":
      return longForkView(a);
    default:
      return "";
  }
}
