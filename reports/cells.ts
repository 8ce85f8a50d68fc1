/**
 * Small formatting pieces shared by the report's sections: verdict words and cells, times and
 * milliseconds as the tables show them. Output is HTML (values escaped) or plain text.
 */
import type { Validity } from "../checkers/verdict.ts";
import { escapeHtml as h } from "./escape.ts";
import type { OperationIndex } from "./operations.ts";
import { formatSeconds } from "./svg.ts";

export const WORD: Record<string, string> = { true: "Valid", false: "Invalid", unknown: "Unknown" };

export function validityClass(v: Validity): string {
  return v === true ? "valid" : v === false ? "invalid" : "unknown";
}

export function validityCell(v: Validity): string {
  return `<span class="v-${String(v)}">${h(WORD[String(v)] ?? String(v))}</span>`;
}

export function ms(x: number | undefined): string {
  if (x === undefined) return "";
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

export function timeCell(ops: OperationIndex, t: number | undefined): string {
  if (t === undefined) return "";
  return ops.hasTimes ? formatSeconds(t) : `#${t}`;
}

export function asRecord(x: unknown): Record<string, unknown> {
  return x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
}
