/** Small helpers shared by the report's hand-drawn SVG figures. All text goes through escapeHtml. */
import { cutAtWord, escapeHtml } from "./escape.ts";

/** Numbers for SVG attributes: finite, at most two decimals. */
export function n(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 100) / 100) : "0";
}

/** A text element; `text` is escaped. */
export function svgText(x: number, y: number, text: string, attrs = ""): string {
  return `<text x="${n(x)}" y="${n(y)}"${attrs ? ` ${attrs}` : ""}>${escapeHtml(text)}</text>`;
}

/** Cuts a label to what fits in `width` pixels at roughly 6.6 px per character (11 px sans). */
export function fitLabel(text: string, width: number): string {
  const max = Math.floor(width / 6.6);
  if (max <= 1) return "";
  return cutAtWord(text, max);
}

/** Seconds for axis labels: 12.3 s, 0.045 s. */
export function formatSeconds(ns: number): string {
  const s = ns / 1e9;
  const digits = Math.abs(s) >= 100 ? 1 : Math.abs(s) >= 1 ? 2 : 3;
  return `${s.toFixed(digits)} s`;
}

/** "Nice" tick step (1, 2, 5 × 10^k) for a span, aiming at about `count` ticks. */
export function tickStep(span: number, count: number): number {
  if (span <= 0) return 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

/** Axis labels in seconds with as many decimals as the tick step needs: "2 s", "1.5 s", "0.25 s". */
export function formatAxisSeconds(ns: number, stepNs: number): string {
  const digits = stepNs >= 1e9 ? 0 : stepNs >= 1e8 ? 1 : stepNs >= 1e7 ? 2 : 3;
  return `${(ns / 1e9).toFixed(digits)} s`;
}
