/**
 * A per-process timeline around a linearizability failure, in the spirit of Knossos's linear.svg
 * and Porcupine's visualization: one lane per process, each op a bar from invoke to completion,
 * the op that cannot be linearized in red, the ops concurrent with it outlined, the tail of the
 * longest partial linearization numbered in order, fault windows shaded behind.
 */
import type { Anomaly } from "../checkers/verdict.ts";
import { compactValue, escapeHtml } from "./escape.ts";
import { linearDetail } from "./linear-detail.ts";
import { intervalFor, type OperationIndex, type OpInterval, type OpLike } from "./operations.ts";
import { fitLabel, formatAxisSeconds, formatSeconds, n, svgText, tickStep } from "./svg.ts";
import { describeFault } from "./verdict-text.ts";

export type TimelineRole = "failing" | "concurrent" | "linearized" | "context";

export interface TimelineBar {
  iv: OpInterval;
  role: TimelineRole;
  /** Position in the partial linearization (1-based), for the ops drawn from it. */
  order?: number;
  /** The model state after this op in the partial linearization. */
  stateAfter?: string;
}

const MAX_BARS = 80;
const MAX_LANES = 24;
/** How many of the last linearized ops to draw: the ones that lead up to the failure. */
export const LINEARIZED_TAIL = 20;

function sameKey(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Chooses the ops to draw: the failure, what was concurrent, the linearization's tail, then neighbours on the key. */
export function timelineBars(anomaly: Anomaly, ops: OperationIndex): TimelineBar[] {
  const d = linearDetail(anomaly);
  const bars = new Map<OpInterval, TimelineBar>();
  const add = (op: OpLike, role: TimelineRole, extra: Partial<TimelineBar> = {}) => {
    const iv = intervalFor(ops, op);
    const had = bars.get(iv);
    // A failing op stays failing; an op both concurrent and linearized keeps its number.
    if (had && (had.role === "failing" || role === "context")) return;
    bars.set(iv, {
      iv,
      role,
      order: extra.order ?? had?.order,
      stateAfter: extra.stateAfter ?? had?.stateAfter,
    });
  };
  const tail = d.linearized.slice(-LINEARIZED_TAIL);
  const first = d.omitted + d.linearized.length - tail.length + 1;
  tail.forEach((step, i) => {
    add(step.op, "linearized", { order: first + i, stateAfter: step.stateAfter });
  });
  for (const op of d.concurrent) add(op, "concurrent");
  const listed = Array.isArray(anomaly.ops) ? anomaly.ops : [];
  for (const op of listed) add(op, d.failing ? "context" : "concurrent");
  if (d.failing) add(d.failing, "failing");
  else if (listed.length) add(listed[listed.length - 1], "failing");
  if (!bars.size) return [];

  // Neighbours: other ops on the same key that overlap the window, so the picture is complete.
  const chosen = [...bars.values()];
  const lo = Math.min(...chosen.map((b) => b.iv.invokeTime));
  const hi = Math.max(...chosen.map((b) => b.iv.completeTime ?? b.iv.invokeTime));
  const failingIv = d.failing ? intervalFor(ops, d.failing) : undefined;
  const key = anomaly.key ?? failingIv?.key;
  for (const iv of ops.intervals) {
    if (bars.size >= MAX_BARS) break;
    if (bars.has(iv) || iv.type === "fail") continue;
    if (key !== undefined && !sameKey(iv.key, key)) continue;
    const end = iv.completeTime ?? ops.endTime;
    if (end >= lo && iv.invokeTime <= hi) bars.set(iv, { iv, role: "context" });
  }
  return [...bars.values()];
}

const COLORS = { ok: "#cfe8d5", info: "#fde2b8", fail: "#e5e7eb" } as const;

function barLabel(iv: OpInterval): string {
  return `${iv.f} ${compactValue(iv.value, 40)}`;
}

function barTitle(b: TimelineBar): string {
  const iv = b.iv;
  const lines = [
    `${b.role === "failing" ? "CANNOT BE LINEARIZED: " : ""}process ${iv.process} ${iv.f} ${compactValue(iv.value, 200)} -> ${iv.type}`,
    `invoke ${formatSeconds(iv.invokeTime)}${iv.completeTime !== undefined ? `, complete ${formatSeconds(iv.completeTime)}` : ", never completed"}`,
  ];
  if (iv.region || iv.node) lines.push(`${iv.region ?? ""} ${iv.node ?? ""}`.trim());
  if (b.order) {
    lines.push(
      `#${b.order} in the longest partial linearization${b.stateAfter !== undefined ? `; state after: ${compactValue(b.stateAfter, 80)}` : ""}`,
    );
  }
  if (b.role === "concurrent") lines.push("concurrent with the failing op");
  return lines.join("\n");
}

/** The SVG (a string of markup, every value escaped). Empty string when there is nothing to draw. */
export function renderTimelineSvg(anomaly: Anomaly, ops: OperationIndex): string {
  const bars = timelineBars(anomaly, ops);
  if (!bars.length) return "";
  const lanes: (number | string)[] = [];
  for (const b of [...bars].sort((a, c) => a.iv.invokeTime - c.iv.invokeTime)) {
    if (!lanes.includes(b.iv.process)) lanes.push(b.iv.process);
  }
  const shownLanes = lanes.slice(0, MAX_LANES);
  const drawn = bars.filter((b) => shownLanes.includes(b.iv.process));
  const lo = Math.min(...drawn.map((b) => b.iv.invokeTime));
  const hiRaw = Math.max(...drawn.map((b) => b.iv.completeTime ?? b.iv.invokeTime));
  // More room on the right: the failing op is usually last, and its label goes beside it.
  const t0 = lo - Math.max((hiRaw - lo) * 0.03, 1);
  const t1 = hiRaw + Math.max((hiRaw - lo) * 0.12, 1);

  const W = 960;
  const left = 150;
  const right = 16;
  const top = 26;
  const laneH = 30;
  const barH = 20;
  const H = top + shownLanes.length * laneH + 30;
  const x = (t: number) => left + ((t - t0) / (t1 - t0)) * (W - left - right);
  const out: string[] = [];
  out.push(
    `<svg class="timeline" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Per-process timeline around the failing operation" xmlns="http://www.w3.org/2000/svg">`,
  );
  // Fault windows behind everything.
  for (const w of ops.faults) {
    const a = Math.max(w.start, t0);
    const b = Math.min(w.stop ?? t1, t1);
    if (b <= a) continue;
    out.push(
      `<rect class="fault" x="${n(x(a))}" y="${top - 4}" width="${n(x(b) - x(a))}" height="${n(shownLanes.length * laneH + 4)}"><title>${escapeHtml(describeFault(w))}</title></rect>`,
    );
    out.push(svgText(x(a) + 3, top - 8, fitLabel(describeFault(w), x(b) - x(a) - 3), 'class="fault-label"'));
  }
  // Lanes.
  shownLanes.forEach((p, i) => {
    const y = top + i * laneH;
    const sample = drawn.find((b) => b.iv.process === p)?.iv;
    const label = `process ${p}${sample?.region ? ` · ${sample.region}` : ""}`;
    out.push(
      `<line class="lane" x1="${left}" x2="${W - right}" y1="${n(y + laneH / 2)}" y2="${n(y + laneH / 2)}"/>`,
    );
    out.push(
      svgText(
        left - 8,
        y + laneH / 2 + 4,
        fitLabel(label, left - 12),
        'text-anchor="end" class="lane-label"',
      ),
    );
  });
  // Time axis.
  const axisY = top + shownLanes.length * laneH + 6;
  const step = tickStep(t1 - t0, 6);
  out.push(`<line class="axis" x1="${left}" x2="${W - right}" y1="${axisY}" y2="${axisY}"/>`);
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    out.push(`<line class="axis" x1="${n(x(t))}" x2="${n(x(t))}" y1="${axisY}" y2="${axisY + 4}"/>`);
    out.push(
      svgText(
        x(t),
        axisY + 16,
        ops.hasTimes ? formatAxisSeconds(t, step) : `line ${t + 1}`,
        'text-anchor="middle" class="tick"',
      ),
    );
  }
  // Bars: context first, the failing op last so it is on top.
  const rank = { context: 0, linearized: 1, concurrent: 2, failing: 3 } as const;
  const span = (b: TimelineBar) => {
    const x1 = x(b.iv.invokeTime);
    const x2 = b.iv.completeTime === undefined ? W - right : Math.max(x(b.iv.completeTime), x1 + 4);
    return [x1, x2] as const;
  };
  for (const b of [...drawn].sort((a, c) => rank[a.role] - rank[c.role])) {
    const lane = shownLanes.indexOf(b.iv.process);
    const y = top + lane * laneH + (laneH - barH) / 2;
    const [x1, x2] = span(b);
    const open = b.iv.completeTime === undefined;
    const cls = `op op-${b.iv.type} role-${b.role}${open ? " open" : ""}`;
    out.push(
      `<g class="${cls}"><title>${escapeHtml(barTitle(b))}</title><rect x="${n(x1)}" y="${n(y)}" width="${n(x2 - x1)}" height="${barH}" rx="3" fill="${COLORS[b.iv.type]}"/>`,
    );
    const text = (b.order ? `#${b.order} ` : "") + barLabel(b.iv);
    if (x2 - x1 >= 60) {
      out.push(`${svgText(x1 + 4, y + barH / 2 + 4, fitLabel(text, x2 - x1 - 6), 'class="op-label"')}</g>`);
      continue;
    }
    // Too narrow to hold its label: write it to the right, up to the next bar in the lane, or
    // to the left when the right has less room.
    const sameLane = drawn.filter((o) => o !== b && o.iv.process === b.iv.process);
    const next = Math.min(W - right, ...sameLane.filter((o) => span(o)[0] >= x2).map((o) => span(o)[0]));
    const prev = Math.max(left, ...sameLane.filter((o) => span(o)[1] <= x1).map((o) => span(o)[1]));
    if (next - x2 >= Math.min(120, x1 - prev)) {
      out.push(
        `${svgText(x2 + 3, y + barH / 2 + 4, fitLabel(text, next - x2 - 6), 'class="op-label beside"')}</g>`,
      );
    } else {
      out.push(
        `${svgText(x1 - 3, y + barH / 2 + 4, fitLabel(text, x1 - prev - 6), 'text-anchor="end" class="op-label beside"')}</g>`,
      );
    }
  }
  if (lanes.length > shownLanes.length) {
    out.push(
      svgText(
        W - right,
        H - 4,
        `${lanes.length - shownLanes.length} more processes not drawn`,
        'text-anchor="end" class="tick"',
      ),
    );
  }
  out.push("</svg>");
  return out.join("");
}
