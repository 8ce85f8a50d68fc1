/**
 * The report's faults section: each fault window as run (from the nemesis ops), with how many
 * anomalies fell inside it, and the schedule as planned (from test.json). Every value is escaped.
 */
import type { Results } from "../checkers/verdict.ts";
import { asRecord, timeCell } from "./cells.ts";
import { compactValue, escapeHtml as h } from "./escape.ts";
import { type FaultWindow, intervalFor, type OperationIndex } from "./operations.ts";
import { formatSeconds } from "./svg.ts";
import { describeFault, subjectOp } from "./verdict-text.ts";

const MAX_ROWS = 200;

/** What a fault did, for the faults table: the nemesis's own words when it gave them. */
function faultWords(w: FaultWindow): string {
  if (typeof w.value === "string") return compactValue(w.value, 300);
  return describeFault(w).replace(w.f, "").trim() || compactValue(w.value, 300);
}

export function renderFaults(results: Results, ops: OperationIndex): string {
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
  const shown = ops.faults.slice(0, MAX_ROWS);
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

export function renderSchedule(test: unknown): string {
  const schedule = asRecord(test).schedule;
  if (schedule === undefined) return `<p class="note">test.json has no schedule.</p>`;
  if (!Array.isArray(schedule)) return `<pre>${h(compactValue(schedule, 20000))}</pre>`;
  if (!schedule.length) return `<p class="note">The schedule is empty: no faults were planned.</p>`;
  const rows = schedule.slice(0, MAX_ROWS).map(asRecord);
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
