/**
 * `signals.conflicts` in words and HTML: how many replication conflicts the store itself counted
 * (PostgreSQL 18: pg_stat_subscription_stats.confl_*), by type and by region pair, and, under
 * last-writer-wins, which row versions were thrown away and what they lost to. The terminal
 * summary and the report both read it from here, so they agree.
 */
import { escapeHtml as h } from "./escape.ts";

export interface ConflictVersion {
  value: number | null;
  at: string;
  by: string;
}

export interface ConflictsSignal {
  total: number;
  byType: Record<string, number>;
  byRegionPair: Record<string, number>;
  source?: string;
  /** false: the store keeps no conflict counters, so the total means nothing. */
  counted?: boolean;
  discarded?: {
    total: number;
    shown: { node: string; table: string; key: number; lost: ConflictVersion; keptBy: ConflictVersion }[];
  };
}

/** The signal, when the run has one that looks right. */
export function conflictsOf(signals: Record<string, unknown> | undefined): ConflictsSignal | undefined {
  const c = signals?.conflicts as ConflictsSignal | undefined;
  return c && typeof c.total === "number" && c.byType && c.byRegionPair ? c : undefined;
}

const nonZero = (r: Record<string, number>) =>
  Object.entries(r)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b));

const list = (r: Record<string, number>) =>
  nonZero(r)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");

/** One discarded version: "pg-eu-west-1 discarded pg-us-east-1's counters[0] = 7 (10:01:02.345) for pg-eu-west-1's 7 (10:01:02.350)". */
export function discardText(d: NonNullable<ConflictsSignal["discarded"]>["shown"][number]): string {
  const v = (x: ConflictVersion) => (x.value === null ? "null" : String(x.value));
  return `${d.node} discarded ${d.lost.by}'s ${d.table}[${d.key}] = ${v(d.lost)} (written ${d.lost.at}) for ${d.keptBy.by}'s ${v(d.keptBy)} (written ${d.keptBy.at})`;
}

/** Terminal lines (indented by the caller). */
export function conflictsText(c: ConflictsSignal, writes?: number): string[] {
  const rate = writes ? `, ${(c.total / writes).toFixed(3)} per acknowledged write` : "";
  const lines = [
    c.counted === false
      ? `conflicts: ${c.source ?? "not counted by this store"}`
      : c.total === 0
        ? "conflicts: none counted by the store"
        : `conflicts: ${c.total}${rate} (${list(c.byType)}; ${list(c.byRegionPair)})`,
  ];
  if (c.discarded && c.discarded.total > 0) {
    lines.push(
      `last-writer-wins discarded ${c.discarded.total} row version(s), e.g. ${discardText(c.discarded.shown[0]!)}`,
    );
  }
  return lines;
}

/** The report's section: counts, then every discarded version shown. */
export function renderConflicts(signals: Record<string, unknown> | undefined): string {
  const c = conflictsOf(signals);
  if (!c) return "";
  const rows = (r: Record<string, number>, what: string) =>
    nonZero(r).length
      ? `<table><thead><tr><th>${what}</th><th class="num">conflicts</th></tr></thead><tbody>${nonZero(r)
          .map(([k, n]) => `<tr><td>${h(k)}</td><td class="num">${h(n)}</td></tr>`)
          .join("")}</tbody></table>`
      : "";
  const discarded = c.discarded?.total
    ? `<h3>Writes overwritten by last-writer-wins</h3><p class="note">Each row: a remote version that arrived older than the node's own and was thrown away, with the version it lost to. ${
        c.discarded.total > c.discarded.shown.length
          ? h(`Showing ${c.discarded.shown.length} of ${c.discarded.total}.`)
          : h(`${c.discarded.total} in all.`)
      }</p><table><thead><tr><th>on node</th><th>row</th><th>lost: value, written by, at</th><th>kept: value, written by, at</th></tr></thead><tbody>${c.discarded.shown
        .map(
          (d) =>
            `<tr><td>${h(d.node)}</td><td>${h(`${d.table}[${d.key}]`)}</td><td>${h(`${d.lost.value ?? "null"}, ${d.lost.by}, ${d.lost.at}`)}</td><td>${h(`${d.keptBy.value ?? "null"}, ${d.keptBy.by}, ${d.keptBy.at}`)}</td></tr>`,
        )
        .join("")}</tbody></table>`
    : "";
  return `<h2 id="conflicts">Replication conflicts</h2>
<p>${h(c.counted === false ? "The store keeps no conflict counters." : c.total === 0 ? "The store counted no conflicts." : `The store counted ${c.total} conflict(s).`)}${c.source ? ` <span class="note">Source: ${h(c.source)}.</span>` : ""}</p>
${rows(c.byType, "type")}${rows(c.byRegionPair, "from -> applied in")}${discarded}`;
}
