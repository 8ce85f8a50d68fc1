/**
 * The long-fork checker, with Jepsen's semantics (jepsen.tests.long-fork): writers insert single
 * keys (`[["w", k, v]]`, each key written once), readers read groups of keys (`[["r", k, v],
 * ...]`, any `f`). Starting from nothing, every key goes from nil to its one value and stays, so
 * under snapshot isolation or stronger any two reads are ordered: one sees everything the other
 * sees. Two reads that saw two writes in opposite orders (one sees a but not b, the other b but
 * not a, a and b read by both) are a long fork: the anomaly parallel snapshot isolation allows and
 * snapshot isolation forbids.
 *
 * Jepsen compares only reads of the same key set; comparing any two reads on the keys they share
 * finds the same forks there and also forks between overlapping groups. Two writes to one key
 * make the history one this analysis cannot judge: `unknown`, as in Jepsen.
 */
import type { Checker } from "./checker.ts";
import { HistoryParseError } from "./history/errors.ts";
import { type History, NEMESIS, type Op } from "./history/op.ts";
import type { Anomaly, CheckerResult } from "./verdict.ts";

type Mop = [string, unknown, unknown];

interface ReadState {
  /** key id -> value id (`null` when nil) */
  seen: Map<string, unknown>;
  keys: Map<string, unknown>;
  ops: Op[];
}

const kid = (k: unknown) => (typeof k === "number" ? `n${k}` : `s${JSON.stringify(k)}`);
const whereOf = (op: Op) => (op.line !== undefined ? `line ${op.line}` : `index ${op.index}`);
/** At most this many forks are listed; the count is always complete. */
const MAX_LISTED = 100;

function mopsOf(op: Op): Mop[] | undefined {
  const v = op.value;
  // Faults carry their own values; only client transactions are micro-ops.
  if (!Array.isArray(v) || op.process === NEMESIS) return undefined;
  v.forEach((m, i) => {
    if (!Array.isArray(m) || m.length !== 3 || (m[0] !== "r" && m[0] !== "w")) {
      throw new HistoryParseError(
        `long-fork checker: micro-op ${i + 1} of the transaction is ${JSON.stringify(m)}; expected ["r", key, value] or ["w", key, value]`,
        { line: op.line },
      );
    }
  });
  return v as Mop[];
}

const isReadTxn = (t: Mop[]) => t.length > 0 && t.every((m) => m[0] === "r");
const isWriteTxn = (t: Mop[]) => t.length === 1 && t[0]![0] === "w";

export function checkLongFork(history: History): CheckerResult {
  // Writes: invokes of single-write transactions, each key at most once.
  const writes = new Map<string, Op>();
  for (const op of history) {
    if (op.type !== "invoke") continue;
    const t = mopsOf(op);
    if (!t || !isWriteTxn(t)) continue;
    const k = kid(t[0]![1]);
    const prior = writes.get(k);
    if (prior) {
      return {
        valid: "unknown",
        anomalyTypes: [],
        anomalies: [],
        reason: `key ${JSON.stringify(t[0]![1])} is written twice (${whereOf(prior)} and ${whereOf(op)}); long-fork analysis needs each key written once`,
        error: ["multiple-writes", t[0]![1]],
      };
    }
    writes.set(k, op);
  }

  // Ok read transactions, deduplicated by what they saw.
  const states = new Map<string, ReadState>();
  let readCount = 0;
  let early = 0;
  let late = 0;
  for (const op of history) {
    if (op.type !== "ok") continue;
    const t = mopsOf(op);
    if (!t || !isReadTxn(t)) continue;
    readCount++;
    if (t.every((m) => m[2] === null || m[2] === undefined)) early++;
    if (t.every((m) => m[2] !== null && m[2] !== undefined)) late++;
    const seen = new Map<string, unknown>();
    const keys = new Map<string, unknown>();
    for (const [, k, v] of t) {
      seen.set(kid(k), v ?? null);
      keys.set(kid(k), k);
    }
    const sig = JSON.stringify([...seen].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    const s = states.get(sig);
    if (s) s.ops.push(op);
    else states.set(sig, { seen, keys, ops: [op] });
  }

  // Candidate pairs share a key: index states by key.
  const list = [...states.values()];
  const byKey = new Map<string, number[]>();
  list.forEach((s, i) => {
    for (const k of s.seen.keys()) {
      let l = byKey.get(k);
      if (!l) byKey.set(k, (l = []));
      l.push(i);
    }
  });

  const anomalies: Anomaly[] = [];
  let forks = 0;
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    const partners = new Set<number>();
    for (const k of a.seen.keys()) for (const j of byKey.get(k)!) if (j > i) partners.add(j);
    for (const j of [...partners].sort((x, y) => x - y)) {
      const b = list[j]!;
      let onlyA: string | undefined; // seen by a, nil in b
      let onlyB: string | undefined;
      for (const [k, va] of a.seen) {
        if (!b.seen.has(k)) continue;
        const vb = b.seen.get(k);
        if (va !== null && vb !== null && JSON.stringify(va) !== JSON.stringify(vb)) {
          return {
            valid: "unknown",
            anomalyTypes: [],
            anomalies: [],
            reason: `the reads at ${whereOf(a.ops[0]!)} and ${whereOf(b.ops[0]!)} saw different values of key ${JSON.stringify(a.keys.get(k))} (${JSON.stringify(va)}, ${JSON.stringify(vb)}); long-fork analysis needs each key written once`,
          };
        }
        if (va !== null && vb === null) onlyA ??= k;
        if (va === null && vb !== null) onlyB ??= k;
      }
      if (onlyA === undefined || onlyB === undefined) continue;
      forks++;
      if (anomalies.length >= MAX_LISTED) continue;
      const ra = a.ops[0]!;
      const rb = b.ops[0]!;
      const x = a.keys.get(onlyA);
      const y = b.keys.get(onlyB);
      const wx = writes.get(onlyA);
      const wy = writes.get(onlyB);
      anomalies.push({
        type: "long-fork",
        explanation:
          `The read at ${whereOf(ra)} saw the write of key ${JSON.stringify(x)} but not that of key ${JSON.stringify(y)}; ` +
          `the read at ${whereOf(rb)} saw key ${JSON.stringify(y)} but not key ${JSON.stringify(x)}. ` +
          "They observed the two writes in opposite orders: a long fork (allowed by parallel snapshot isolation, not by snapshot isolation).",
        ops: [ra, rb, ...(wx ? [wx] : []), ...(wy ? [wy] : [])],
        op: rb,
        reads: [ra, rb],
        keys: [x, y],
      });
    }
  }

  return {
    valid: forks === 0,
    anomalyTypes: forks ? ["long-fork"] : [],
    anomalies,
    ...(forks ? { forks: anomalies.map((a) => a.reads) } : {}),
    readsCount: readCount,
    earlyReadCount: early,
    lateReadCount: late,
    stats: { reads: readCount, distinctReads: list.length, writes: writes.size, forks },
  };
}

export const longForkChecker: Checker = {
  name: "long-fork",
  description: "Long fork (Jepsen's long-fork): two reads that see two single-key inserts in opposite orders",
  check: (history) => checkLongFork(history),
};
