/**
 * Session guarantees on register histories (read, write, cas on independent keys):
 * read-your-writes and monotonic-reads, per client process.
 *
 * The checker is sound but not complete: it only flags a read that returns a value *definitely*
 * older than one the session already wrote or saw. "Definitely older" is what real time proves
 * without knowing the store's internal order: the write of x completed before the write of y was
 * invoked, or x is the initial value (null) and y was written. Concurrent writes may land in either
 * order, so a read of one of them is never held against the session. Values must be unique per key
 * (faultline's register workload writes each value once).
 */
import type { Checker } from "./checker.ts";
import { pairOps } from "./history/pairs.ts";
import { type History, NEMESIS, type Op } from "./history/op.ts";
import { computeStaleness } from "./staleness.ts";
import type { Anomaly, CheckerResult } from "./verdict.ts";

interface Write {
  value: unknown;
  /** Real-time position of the invoke and the ok completion (Infinity when it never completed ok). */
  invokedAt: number;
  completedAt: number;
  op: Op;
}

interface SessionState {
  /** Latest write this session saw acknowledged, by key. */
  wrote: Map<string, Write>;
  /** Latest value this session read, by key, with the read that returned it. */
  read: Map<string, { value: unknown; op: Op }>;
}

const keyOf = (op: Op) => JSON.stringify(op.key ?? null);
const valueKey = (key: string, v: unknown) => `${key}|${JSON.stringify(v)}`;

/** The value a write or cas leaves in the register. */
function writtenValue(op: Op): unknown {
  if (op.f === "write") return op.value;
  if (op.f === "cas" && Array.isArray(op.value)) return op.value[1];
  return undefined;
}

/** What the checker understands; anything else means it was handed the wrong kind of history. */
const REGISTER_FS = new Set(["read", "write", "cas"]);

export function checkSession(history: History): CheckerResult {
  for (const op of history) {
    if (op.process === NEMESIS || REGISTER_FS.has(op.f)) continue;
    // Judging a set or transaction history by register rules would find nothing and say "valid".
    const where = op.line !== undefined ? `line ${op.line}` : `index ${op.index}`;
    throw new Error(
      `session checker: the op at ${where} has f '${op.f}'; it checks register histories (read, write, cas)`,
    );
  }
  const pairs = pairOps(history);
  // Real time: the op's `time` where the history has it, else its position.
  const at = (op: Op | undefined, pos: number) => (op?.time !== undefined ? op.time : pos);

  const writes = new Map<string, Write>();
  for (const p of pairs) {
    const v = writtenValue(p.invoke);
    if (v === undefined || p.completion?.type === "fail") continue;
    const ok = p.completion?.type === "ok";
    writes.set(valueKey(keyOf(p.invoke), v), {
      value: v,
      invokedAt: at(p.invoke, p.invokeAt),
      completedAt: ok ? at(p.completion, p.completeAt) : Number.POSITIVE_INFINITY,
      op: p.completion ?? p.invoke,
    });
  }

  /** Is `older` (a value read) definitely before `newer` (a write the session knows of)? */
  const definitelyOlder = (key: string, older: unknown, newer: Write): boolean => {
    if (older === null || older === undefined) return true;
    if (JSON.stringify(older) === JSON.stringify(newer.value)) return false;
    const w = writes.get(valueKey(key, older));
    return w !== undefined && w.completedAt < newer.invokedAt;
  };

  const anomalies: Anomaly[] = [];
  const sessions = new Map<unknown, SessionState>();
  // Completions in history order: a session's reads are judged against what it had seen before.
  const done = pairs.filter((p) => p.completion?.type === "ok").sort((a, b) => a.completeAt - b.completeAt);
  for (const p of done) {
    const op = p.completion!;
    let s = sessions.get(op.process);
    if (!s) sessions.set(op.process, (s = { wrote: new Map(), read: new Map() }));
    const key = keyOf(op);
    if (op.f === "read") {
      const mine = s.wrote.get(key);
      if (mine && definitelyOlder(key, op.value, mine)) {
        anomalies.push({
          type: "read-your-writes",
          key: op.key,
          explanation:
            `process ${op.process} wrote ${JSON.stringify(mine.value)} to key ${key} (acknowledged), then read ` +
            `${JSON.stringify(op.value)}${op.node ? ` from ${op.node}` : ""}: a value from before its own write.`,
          ops: [mine.op, op],
        });
      }
      const last = s.read.get(key);
      const lastWrite = last && writes.get(valueKey(key, last.value));
      if (last && lastWrite && definitelyOlder(key, op.value, lastWrite)) {
        anomalies.push({
          type: "monotonic-reads",
          key: op.key,
          explanation:
            `process ${op.process} read ${JSON.stringify(last.value)} from key ${key}${last.op.node ? ` on ${last.op.node}` : ""}, then read ` +
            `${JSON.stringify(op.value)}${op.node ? ` from ${op.node}` : ""}: a value older than one it had already seen.`,
          ops: [last.op, op],
        });
      }
      if (op.value !== null && op.value !== undefined) s.read.set(key, { value: op.value, op });
    } else {
      const v = writtenValue(op);
      const w = v === undefined ? undefined : writes.get(valueKey(key, v));
      if (w) s.wrote.set(key, w);
    }
  }
  // How stale each offending read was (ms since the value it returned had been replaced by an
  // acknowledged write), so a report shows the age beside the anomaly.
  if (anomalies.length > 0) {
    const age = new Map<number, number | null>();
    for (const r of computeStaleness(history).staleReads) age.set(r.read.index, r.staleMs);
    for (const a of anomalies) {
      const read = a.ops?.[a.ops.length - 1];
      const ms = read ? age.get(read.index) : undefined;
      if (ms === undefined || ms === null) continue;
      a.staleMs = ms;
      a.explanation += ` The read was ${ms} ms stale.`;
    }
  }
  const anomalyTypes = [...new Set(anomalies.map((a) => a.type))].sort();
  const counts = Object.fromEntries(
    anomalyTypes.map((t) => [`count:${t}`, anomalies.filter((a) => a.type === t).length]),
  );
  return {
    valid: anomalies.length === 0,
    anomalyTypes,
    anomalies: anomalies.slice(0, 100),
    stats: { sessions: sessions.size, reads: done.filter((p) => p.invoke.f === "read").length, ...counts },
  };
}

export const sessionChecker: Checker = {
  name: "session",
  description: "Session guarantees on registers: read-your-writes and monotonic-reads, per process",
  check: (history) => checkSession(history),
};
