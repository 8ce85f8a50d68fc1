/**
 * An SVG drawing of one Elle cycle: transactions on a circle, each dependency an arrow labelled
 * with its kind (ww, wr, rw, process, realtime). Arrows bend to one side, so T1->T2 and T2->T1
 * stay apart. Every label and tooltip is escaped.
 */

import type { DrawGraph } from "./cycle-detail.ts";
import { escapeHtml } from "./escape.ts";
import { n, svgText } from "./svg.ts";

const EDGE_COLORS: Record<string, string> = {
  ww: "#2563eb",
  wr: "#059669",
  rw: "#dc2626",
  process: "#6b7280",
  realtime: "#7c3aed",
};

function edgeColor(label: string): string {
  return EDGE_COLORS[label.split(/[,\s]/)[0]] ?? "#374151";
}

export function renderCycleSvg(graph: DrawGraph): string {
  const count = graph.nodes.length;
  if (!count) return "";
  const W = 420;
  const H = count <= 2 ? 220 : 320;
  const cx = W / 2;
  const cy = H / 2;
  const R = count === 1 ? 0 : count === 2 ? 110 : Math.min(120, 40 + 24 * count);
  const r = 22;
  const pos = new Map<string, { x: number; y: number }>();
  graph.nodes.forEach((node, i) => {
    // Start at the left for two nodes, at the top otherwise; go clockwise.
    const angle = count === 2 ? Math.PI + i * Math.PI : -Math.PI / 2 + (2 * Math.PI * i) / count;
    pos.set(node.id, { x: cx + R * Math.cos(angle), y: cy + R * Math.sin(angle) });
  });
  const out: string[] = [
    `<svg class="cycle" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Dependency cycle" xmlns="http://www.w3.org/2000/svg">`,
    "<defs>",
  ];
  const colors = [...new Set(graph.edges.map((e) => edgeColor(e.label)))];
  colors.forEach((c, i) => {
    out.push(
      `<marker id="arrow-${i}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${c}"/></marker>`,
    );
  });
  out.push("</defs>");
  for (const e of graph.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const color = edgeColor(e.label);
    const marker = `url(#arrow-${colors.indexOf(color)})`;
    const title = `<title>${escapeHtml(e.explanation ?? `${e.label} dependency`)}</title>`;
    if (e.from === e.to) {
      // Self-loop above the node.
      const p = `M${n(a.x - 10)},${n(a.y - r + 2)} C${n(a.x - 40)},${n(a.y - r - 50)} ${n(a.x + 40)},${n(a.y - r - 50)} ${n(a.x + 10)},${n(a.y - r + 2)}`;
      out.push(
        `<g class="edge">${title}<path d="${p}" fill="none" stroke="${color}" stroke-width="2" marker-end="${marker}"/>`,
      );
      out.push(
        `${svgText(a.x, a.y - r - 40, e.label, `text-anchor="middle" class="edge-label" fill="${color}"`)}</g>`,
      );
      continue;
    }
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len;
    const uy = dy / len;
    // Bend to the right of the direction of travel.
    const bend = count === 2 ? 45 : 28;
    const mx = (a.x + b.x) / 2 + -uy * bend;
    const my = (a.y + b.y) / 2 + ux * bend;
    // Start and end on the node circles, aimed at the control point.
    const sa = Math.hypot(mx - a.x, my - a.y) || 1;
    const sb = Math.hypot(mx - b.x, my - b.y) || 1;
    const x1 = a.x + ((mx - a.x) / sa) * r;
    const y1 = a.y + ((my - a.y) / sa) * r;
    const x2 = b.x + ((mx - b.x) / sb) * (r + 2);
    const y2 = b.y + ((my - b.y) / sb) * (r + 2);
    out.push(
      `<g class="edge">${title}<path d="M${n(x1)},${n(y1)} Q${n(mx)},${n(my)} ${n(x2)},${n(y2)}" fill="none" stroke="${color}" stroke-width="2" marker-end="${marker}"/>`,
    );
    // Label at the curve's midpoint, on a white pad so it stays legible over lines.
    const lx = 0.25 * x1 + 0.5 * mx + 0.25 * x2;
    const ly = 0.25 * y1 + 0.5 * my + 0.25 * y2;
    const wPad = Math.max(22, e.label.length * 7 + 8);
    out.push(
      `<rect x="${n(lx - wPad / 2)}" y="${n(ly - 9)}" width="${n(wPad)}" height="16" rx="3" fill="#fff" stroke="${color}" stroke-width="0.8"/>`,
    );
    out.push(
      `${svgText(lx, ly + 3.5, e.label, `text-anchor="middle" class="edge-label" fill="${color}"`)}</g>`,
    );
  }
  for (const node of graph.nodes) {
    const p = pos.get(node.id)!;
    out.push(
      `<g class="txn"><title>${escapeHtml(node.detail)}</title><circle cx="${n(p.x)}" cy="${n(p.y)}" r="${r}"/>${svgText(p.x, p.y + 4.5, node.label.slice(0, 6), 'text-anchor="middle"')}</g>`,
    );
  }
  out.push("</svg>");
  return out.join("");
}
