/**
 * The run at a glance, under the verdict: a strip per anomaly type with a tick at each anomaly's
 * time, over the whole run, with the fault windows shaded behind. Shows in one look what was
 * found, when, and under which fault.
 */
import type { AnomalyType, Results } from "../checkers/verdict.ts";
import { escapeHtml } from "./escape.ts";
import { faultsAt, intervalFor, type OperationIndex } from "./operations.ts";
import { fitLabel, formatAxisSeconds, formatSeconds, n, svgText, tickStep } from "./svg.ts";
import { describeFault, subjectOp } from "./verdict-text.ts";

const MAX_ROWS = 6;

export function renderOverviewSvg(results: Results, ops: OperationIndex): string {
  const rows = new Map<AnomalyType, number[]>();
  for (const c of Object.values(results.checkers)) {
    for (const a of c.anomalies ?? []) {
      const s = subjectOp(a, ops);
      if (!s) continue;
      const iv = intervalFor(ops, s);
      const list = rows.get(a.type) ?? [];
      list.push(iv.completeTime ?? iv.invokeTime);
      rows.set(a.type, list);
    }
  }
  if (!ops.endTime || (!rows.size && !ops.faults.length)) return "";
  const shown = [...rows.entries()].sort((a, b) => b[1].length - a[1].length).slice(0, MAX_ROWS);
  const W = 1000;
  const left = 170;
  const right = 14;
  const top = 18;
  const rowH = 24;
  const H = top + Math.max(1, shown.length) * rowH + 24;
  const end = ops.endTime;
  const when = (t: number) => (ops.hasTimes ? formatSeconds(t) : `line ${t + 1}`);
  const x = (t: number) => left + (Math.min(Math.max(t, 0), end) / end) * (W - left - right);
  const out: string[] = [
    `<svg class="overview" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Anomalies over the run, with fault windows" xmlns="http://www.w3.org/2000/svg">`,
  ];
  const bottom = top + Math.max(1, shown.length) * rowH;
  for (const w of ops.faults) {
    const a = x(w.start);
    const b = x(w.stop ?? end);
    out.push(
      `<rect class="fault" x="${n(a)}" y="${top - 14}" width="${n(Math.max(b - a, 1.5))}" height="${n(bottom - top + 14)}"><title>${escapeHtml(`${describeFault(w)}: ${when(w.start)} to ${w.stop === undefined ? "the end" : when(w.stop)}`)}</title></rect>`,
    );
    out.push(svgText(a + 3, top - 4, fitLabel(describeFault(w), b - a - 4), 'class="fault-label"'));
  }
  shown.forEach(([type, times], i) => {
    const y = top + i * rowH;
    const inside = times.filter((t) => faultsAt(ops.faults, t).length > 0).length;
    out.push(
      `<line class="lane" x1="${left}" x2="${W - right}" y1="${n(y + rowH / 2)}" y2="${n(y + rowH / 2)}"/>`,
    );
    out.push(
      svgText(
        left - 8,
        y + rowH / 2 + 4,
        fitLabel(`${type} (${times.length})`, left - 12),
        'text-anchor="end" class="row-label"',
      ),
    );
    // One tick per distinct pixel column: thousands of anomalies stay a few hundred elements.
    const columns = new Set(times.map((t) => Math.round(x(t))));
    const title = `<title>${escapeHtml(`${times.length} ${type}; ${inside} inside a fault window`)}</title>`;
    out.push(`<g class="ticks">${title}`);
    for (const c of columns) out.push(`<rect x="${c - 1}" y="${n(y + 5)}" width="2" height="${rowH - 10}"/>`);
    out.push("</g>");
  });
  if (!shown.length) out.push(svgText(left, top + rowH / 2 + 4, "no anomalies", 'class="row-label"'));
  const step = tickStep(end, 8);
  for (let t = 0; t <= end; t += step) {
    out.push(
      svgText(
        x(t),
        bottom + 16,
        ops.hasTimes ? formatAxisSeconds(t, step) : when(t),
        'text-anchor="middle" class="tick"',
      ),
    );
  }
  out.push("</svg>");
  return out.join("");
}
