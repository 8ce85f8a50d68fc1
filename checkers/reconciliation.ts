/**
 * "Nothing is lost silently" for sets on a layout that sends conflicting updates to a
 * reconciliation queue: every acknowledged add is either in the final state (the final reads,
 * after healing and resolving) or in an entry still waiting in the queue (its local or remote
 * version), where a person will see it. An acknowledged element in neither was dropped without a
 * record: `lost-write`. Without queue records (a layout with no queue) it is the plain question of
 * whether the final reads hold every acknowledged add.
 *
 * Pure: the pending queue entries come in the run's signals (`reconciliation.pendingEntries`, as
 * harness/stores/postgres/reconciliation-queue.ts writes them).
 */
import type { Checker, CheckContext } from "./checker.ts";
import { pairOps } from "./history/pairs.ts";
import type { History, Op } from "./history/op.ts";
import type { Anomaly, CheckerResult } from "./verdict.ts";

export interface PendingEntry {
  node: string;
  key: number;
  local: number[];
  remote: number[];
}

const k = (key: unknown) => JSON.stringify(key ?? null);

export function checkNothingLostSilently(history: History, pending: PendingEntry[] = []): CheckerResult {
  const pairs = pairOps(history);
  const finals = pairs.filter((p) => p.invoke.final && p.invoke.f === "read" && p.completion?.type === "ok");
  if (finals.length === 0) {
    return {
      valid: "unknown",
      anomalyTypes: [],
      anomalies: [],
      reason: "no final reads: the final state is unknown",
    };
  }
  const final = new Map<string, Set<number>>();
  for (const p of finals) {
    const s = final.get(k(p.invoke.key)) ?? new Set<number>();
    for (const e of (p.completion!.value as number[]) ?? []) s.add(Number(e));
    final.set(k(p.invoke.key), s);
  }
  const queued = new Map<string, Set<number>>();
  for (const e of pending) {
    const s = queued.get(k(e.key)) ?? new Set<number>();
    for (const x of [...e.local, ...e.remote]) s.add(Number(x));
    queued.set(k(e.key), s);
  }
  const anomalies: Anomaly[] = [];
  let acknowledged = 0;
  let inQueue = 0;
  for (const p of pairs) {
    if (p.invoke.f !== "add" || p.completion?.type !== "ok") continue;
    acknowledged++;
    const key = k(p.invoke.key);
    const element = Number(p.invoke.value);
    if (final.get(key)?.has(element)) continue;
    if (queued.get(key)?.has(element)) {
      inQueue++;
      continue;
    }
    anomalies.push({
      type: "lost-write",
      key: p.invoke.key,
      explanation:
        `add of ${element} to set ${key} by process ${p.invoke.process}${p.invoke.node ? ` on ${p.invoke.node}` : ""} was acknowledged, ` +
        "but it is neither in the final reads nor in any entry waiting in the reconciliation queue: dropped without a record.",
      ops: [p.completion as Op],
    });
  }
  return {
    valid: anomalies.length === 0,
    anomalyTypes: anomalies.length ? ["lost-write"] : [],
    anomalies: anomalies.slice(0, 100),
    stats: {
      acknowledged,
      inFinalState: acknowledged - inQueue - anomalies.length,
      inQueue,
      lost: anomalies.length,
    },
  };
}

function pendingIn(signals: Record<string, unknown> | undefined): PendingEntry[] | undefined {
  return (signals?.reconciliation as { pendingEntries?: PendingEntry[] } | undefined)?.pendingEntries;
}

export const reconciliationChecker: Checker = {
  name: "nothing-lost-silently",
  description:
    "Sets with a reconciliation queue: every acknowledged add is in the final reads or in a pending queue entry",
  check: (history, _options, context?: CheckContext) =>
    checkNothingLostSilently(history, pendingIn(context?.signals)),
};
