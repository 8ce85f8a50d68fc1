/**
 * Structured values (results.json `signals`, test.json's regions and nodes) as HTML tables a person
 * can read, instead of raw JSON: a map of records becomes one row per entry, a list of records one
 * row per item, a flat record a two-column table; a nested record one level down becomes dotted
 * columns (`latencyMs.p99`). Anything deeper stays compact JSON in its cell. Every value is escaped.
 */
import { compactValue, escapeHtml as h } from "./escape.ts";

type Rec = Record<string, unknown>;

const isRecord = (v: unknown): v is Rec => !!v && typeof v === "object" && !Array.isArray(v);
const isScalar = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);

/** One level of nesting flattened into dotted keys; scalars and short lists stay as they are. */
function flatten(r: Rec): Rec {
  const out: Rec = {};
  for (const [k, v] of Object.entries(r)) {
    if (isRecord(v) && Object.values(v).every(isScalar)) {
      for (const [k2, v2] of Object.entries(v)) out[`${k}.${k2}`] = v2;
    } else out[k] = v;
  }
  return out;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return `<td class="note">–</td>`;
  if (typeof v === "number") return `<td class="num">${h(v)}</td>`;
  if (typeof v === "string" || typeof v === "boolean") return `<td>${h(String(v))}</td>`;
  if (Array.isArray(v) && v.every(isScalar)) return `<td>${h(v.map(String).join(", "))}</td>`;
  return `<td class="value">${h(compactValue(v, 200))}</td>`;
}

function rowsTable(first: string, rows: [string | undefined, Rec][]): string {
  const cols = [...new Set(rows.flatMap(([, r]) => Object.keys(r)))];
  const head = `<tr>${first ? `<th>${h(first)}</th>` : ""}${cols.map((c) => `<th>${h(c)}</th>`).join("")}</tr>`;
  const body = rows
    .map(
      ([k, r]) => `<tr>${first ? `<td>${h(k ?? "")}</td>` : ""}${cols.map((c) => cell(r[c])).join("")}</tr>`,
    )
    .join("");
  return `<table class="value-table"><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

/** `value` as a table when it has a table's shape, else compact JSON; `what` names the row key. */
export function valueTable(value: unknown, what = ""): string {
  if (Array.isArray(value) && value.length && value.every(isRecord)) {
    return rowsTable(
      "",
      value.map((r) => [undefined, flatten(r)] as [undefined, Rec]),
    );
  }
  if (isRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length && entries.every(([, v]) => isRecord(v))) {
      return rowsTable(
        what || "name",
        entries.map(([k, v]) => [k, flatten(v as Rec)]),
      );
    }
    if (entries.length && entries.every(([, v]) => isScalar(v) || (Array.isArray(v) && v.every(isScalar)))) {
      return `<table class="value-table"><tbody>${entries.map(([k, v]) => `<tr><th>${h(k)}</th>${cell(v)}</tr>`).join("")}</tbody></table>`;
    }
  }
  if (Array.isArray(value) && value.every(isScalar)) return h(value.map(String).join(", "));
  return isScalar(value) ? h(String(value)) : `<code>${h(compactValue(value, 400))}</code>`;
}
