/**
 * Last-writer-wins against real time: a register version that last-writer-wins threw away although
 * its write began after the winning write had been acknowledged. With clocks that agree, a write
 * later in real time carries a later timestamp and wins; when one node's clock runs fast, its
 * earlier write carries the later timestamp and a later, acknowledged write elsewhere is silently
 * dropped (`lost-write`). Each anomaly names both writes with their real times (from the history)
 * and their timestamps (from the store's record of what it discarded), so the cause is on the page.
 *
 * Pure: the store's discard records come in the run's signals (`conflicts.discarded.shown`, as
 * harness/stores/postgres/conflict-counters.ts writes them); values must be unique per key, as the
 * register workload writes them. Concurrent writes (the loser began before the winner was
 * acknowledged) may be ordered either way and are never flagged.
 */
import type { Checker, CheckContext } from "./checker.ts";
import { pairOps } from "./history/pairs.ts";
import type { History, Op } from "./history/op.ts";
import type { Anomaly, CheckerResult } from "./verdict.ts";

/** One discarded version: `lost` was thrown away on `node` in favour of `keptBy`. */
export interface LwwDiscardRecord {
  node: string;
  key: number;
  lost: { value: number | null; at: string; by: string };
  keptBy: { value: number | null; at: string; by: string };
}

interface Written {
  op: Op;
  invokedAt: number;
  completedAt: number | undefined;
}

/** "HH:MM:SS.ffffff" (or an ISO time) as ms since midnight, for the skew between two stamps. */
function stampMs(s: string): number | undefined {
  const m = /(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?/.exec(s);
  if (!m) return undefined;
  return ((+m[1]! * 60 + +m[2]!) * 60 + +m[3]!) * 1000 + Number(`0.${m[4] ?? "0"}`) * 1000;
}

const seconds = (ns: number) => `${(ns / 1e9).toFixed(3)} s`;

export function checkLwwClock(history: History, discards: LwwDiscardRecord[] | undefined): CheckerResult {
  if (discards === undefined) {
    return {
      valid: "unknown",
      anomalyTypes: [],
      anomalies: [],
      reason: "needs the run's last-writer-wins discard records (signals.conflicts.discarded)",
    };
  }
  const writes = new Map<string, Written>();
  for (const p of pairOps(history)) {
    if (p.invoke.f !== "write" && p.invoke.f !== "cas") continue;
    const v = p.invoke.f === "write" ? p.invoke.value : (p.invoke.value as unknown[])?.[1];
    if (p.completion?.type === "fail") continue;
    writes.set(`${JSON.stringify(p.invoke.key ?? null)}|${JSON.stringify(v)}`, {
      op: p.completion ?? p.invoke,
      invokedAt: p.invoke.time ?? p.invokeAt,
      completedAt: p.completion?.type === "ok" ? (p.completion.time ?? p.completeAt) : undefined,
    });
  }
  const find = (key: number, value: number | null) =>
    value === null ? undefined : writes.get(`${JSON.stringify(key)}|${JSON.stringify(value)}`);

  const anomalies: Anomaly[] = [];
  let judged = 0;
  for (const d of discards) {
    const lost = find(d.key, d.lost.value);
    const kept = find(d.key, d.keptBy.value);
    if (!lost || !kept) continue;
    judged++;
    // Flag only an acknowledged write that began after the winner was acknowledged.
    if (lost.completedAt === undefined || kept.completedAt === undefined) continue;
    if (!(lost.invokedAt > kept.completedAt)) continue;
    const a = stampMs(d.lost.at);
    const b = stampMs(d.keptBy.at);
    const skew = a !== undefined && b !== undefined ? Math.round(b - a) : undefined;
    anomalies.push({
      type: "lost-write",
      key: d.key,
      explanation:
        `last-writer-wins dropped the write of ${d.lost.value} to key ${d.key} on ${d.lost.by} (real time ` +
        `${seconds(lost.invokedAt)}-${seconds(lost.completedAt)}, acknowledged; stamped ${d.lost.at}) in favour of ` +
        `the write of ${d.keptBy.value} on ${d.keptBy.by} (real time ${seconds(kept.invokedAt)}-${seconds(kept.completedAt)}, ` +
        `stamped ${d.keptBy.at}): the later write lost to one acknowledged ${((lost.invokedAt - kept.completedAt) / 1e6).toFixed(0)} ms ` +
        `before it began, whose stamp was ${skew ?? "?"} ms later: ${d.keptBy.by}'s clock was ahead.`,
      lostStamp: d.lost.at,
      keptStamp: d.keptBy.at,
      stampSkewMs: skew,
      realGapMs: Math.round((lost.invokedAt - kept.completedAt) / 1e6),
      ops: [kept.op, lost.op],
    });
  }
  return {
    valid: anomalies.length === 0,
    anomalyTypes: anomalies.length ? ["lost-write"] : [],
    anomalies: anomalies.slice(0, 100),
    stats: { discards: discards.length, judged, laterWriteLost: anomalies.length },
  };
}

/** The discard records in a run's signals, if the store recorded any. */
function discardsIn(signals: Record<string, unknown> | undefined): LwwDiscardRecord[] | undefined {
  const c = signals?.conflicts as { discarded?: { shown?: LwwDiscardRecord[] } } | undefined;
  return c?.discarded?.shown;
}

export const lwwClockChecker: Checker = {
  name: "lww-clock",
  description:
    "Last-writer-wins against real time: acknowledged writes dropped for an earlier write with a later timestamp (clock skew)",
  check: (history, _options, context?: CheckContext) => checkLwwClock(history, discardsIn(context?.signals)),
};
