/**
 * The set checker, with Jepsen's set-full semantics: clients `add` unique elements to sets (one
 * per key) and `read` whole sets; each element's timeline is judged from the reads that began
 * after it was known to exist.
 *
 * An element is *known* from the completion of its acknowledged add, or of the first read that
 * saw it, whichever is earlier (an add whose outcome is unknown becomes known when a read sees it).
 * Then, per element:
 * - `lost-write`: some read that began after it was known misses it, and no read that began later
 *   than that one sees it again: it was there, and is gone (typically the final reads miss it).
 * - `stale-read`: a read that began after it was known misses it, but a read that began later sees
 *   it: the element was not lost, that read was stale (one anomaly per stale read).
 * - never read (informational, not an anomaly): acknowledged, but no read began after it
 *   completed and no read saw it; reported in `neverRead` and `stats.neverRead`.
 * Independently of timelines: `unexpected`, an element read that was never added (or whose every
 * add definitely failed); `duplicate`, a read returning an element more than once.
 *
 * Real-time order is the order of the history (invokes and completions are recorded as they
 * happen), so "began after X completed" means "invoked later in the history than X's completion".
 * Work is linear in the total size of the reads, plus a sort of the reads per key.
 */
import type { Checker } from "./checker.ts";
import type { History, Op } from "./history/op.ts";
import { pairOps } from "./history/pairs.ts";
import type { Anomaly, AnomalyType, CheckerResult } from "./verdict.ts";

type Element = number | string;

interface Read {
  invokeAt: number;
  completeAt: number;
  op: Op;
  /** Distinct elements, in the order read. */
  elements: Element[];
}

interface Add {
  element: Element;
  firstInvokeAt: number;
  /** Completion position of the earliest acknowledged add; undefined when none was acknowledged. */
  okAt?: number;
  okOp?: Op;
  invoke: Op;
  /** Every add of this element definitely failed. */
  allFailed: boolean;
}

interface KeyState {
  key: unknown;
  adds: Map<string, Add>;
  reads: Read[];
}

/** Elements are compared by value; numbers and strings are both allowed (EDN keywords arrive as strings). */
const id = (e: unknown): string => (typeof e === "number" ? `n${e}` : `s${String(e)}`);

function asElements(op: Op, where: string): Element[] {
  const v = op.value;
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v))
    throw new Error(
      `set checker: the read at ${where} returned ${JSON.stringify(v)}, expected a list of elements`,
    );
  for (const e of v) {
    if (typeof e !== "number" && typeof e !== "string")
      throw new Error(
        `set checker: the read at ${where} holds ${JSON.stringify(e)}, expected numbers or strings`,
      );
  }
  return v as Element[];
}

/** A read as anomalies cite it: the whole op but its (possibly large) value, which the history
 *  holds under the same index; `readSize` says how many elements it returned. */
function readRef(r: Read): Op {
  const { value, ...rest } = r.op;
  return { ...rest, value: undefined, readSize: Array.isArray(value) ? value.length : 0 };
}

const whereOf = (op: Op) => (op.line !== undefined ? `line ${op.line}` : `index ${op.index}`);
/** " (pg-eu-west-1)" when the op names the node that served it. */
const onNode = (op: Op) => (typeof op.node === "string" ? ` (${op.node})` : "");

/** "17, 18, 23 and 4 more" */
function listSome(xs: readonly unknown[], n = 8): string {
  const shown = xs.slice(0, n).map((x) => JSON.stringify(x));
  return xs.length > n ? `${shown.join(", ")} and ${xs.length - n} more` : shown.join(", ");
}

const keyText = (key: unknown) =>
  key === undefined || key === null ? "the set" : `key ${JSON.stringify(key)}`;

export function checkSet(history: History): CheckerResult {
  const keys = new Map<string, KeyState>();
  const stateOf = (op: Op): KeyState => {
    const k = JSON.stringify(op.key ?? null);
    let s = keys.get(k);
    if (!s) keys.set(k, (s = { key: op.key, adds: new Map(), reads: [] }));
    return s;
  };

  for (const p of pairOps(history)) {
    const { invoke, completion } = p;
    if (invoke.f === "add") {
      const s = stateOf(invoke);
      const k = id(invoke.value);
      let a = s.adds.get(k);
      if (!a) {
        a = { element: invoke.value as Element, firstInvokeAt: p.invokeAt, invoke, allFailed: true };
        s.adds.set(k, a);
      }
      if (completion?.type !== "fail") a.allFailed = false;
      if (completion?.type === "ok" && (a.okAt === undefined || p.completeAt < a.okAt)) {
        a.okAt = p.completeAt;
        a.okOp = completion;
      }
    } else if (invoke.f === "read" && completion?.type === "ok") {
      stateOf(invoke).reads.push({
        invokeAt: p.invokeAt,
        completeAt: p.completeAt,
        op: completion,
        elements: asElements(completion, whereOf(completion)),
      });
    }
  }

  const anomalies: Anomaly[] = [];
  const lost: { key: unknown; element: Element; acknowledged: boolean }[] = [];
  const neverRead: { key: unknown; element: Element }[] = [];
  let attempted = 0;
  let acknowledged = 0;
  let stable = 0;
  let staleElements = 0;
  let readCount = 0;

  for (const s of keys.values()) {
    readCount += s.reads.length;
    // Latest-invoked read first: rank 0 is the read that began last.
    const reads = [...s.reads].sort((a, b) => b.invokeAt - a.invokeAt);
    const presentRanks = new Map<string, number[]>();
    const firstSeenAt = new Map<string, number>();

    reads.forEach((r, rank) => {
      const counts = new Map<string, { element: Element; n: number }>();
      for (const e of r.elements) {
        const k = id(e);
        const c = counts.get(k);
        if (c) c.n++;
        else counts.set(k, { element: e, n: 1 });
      }
      const dups = [...counts.values()].filter((c) => c.n > 1);
      if (dups.length > 0) {
        anomalies.push({
          type: "duplicate",
          key: s.key,
          explanation: `A read of ${keyText(s.key)} returned ${dups.length} element(s) more than once: ${listSome(dups.map((d) => `${d.element} x${d.n}`))}.`,
          ops: [readRef(r)],
          op: readRef(r),
          elements: dups.map((d) => d.element),
        });
      }
      r.elements = [...counts.values()].map((c) => c.element);
      for (const k of counts.keys()) {
        let list = presentRanks.get(k);
        if (!list) presentRanks.set(k, (list = []));
        list.push(rank);
        const seen = firstSeenAt.get(k);
        if (seen === undefined || r.completeAt < seen) firstSeenAt.set(k, r.completeAt);
      }
    });

    // Unexpected: read, but never added here, or every add definitely failed.
    for (const [k, ranks] of presentRanks) {
      const add = s.adds.get(k);
      if (add && !add.allFailed) continue;
      const first = reads[ranks[ranks.length - 1]!]!;
      const element = first.elements.find((e) => id(e) === k)!;
      anomalies.push({
        type: "unexpected",
        key: s.key,
        explanation: add
          ? `${JSON.stringify(element)} was read from ${keyText(s.key)} in ${ranks.length} read(s), but every add of it failed (definitely had no effect).`
          : `${JSON.stringify(element)} was read from ${keyText(s.key)} in ${ranks.length} read(s), but no client ever added it there.`,
        ops: add ? [add.invoke, readRef(first)] : [readRef(first)],
        op: readRef(first),
        element,
      });
    }

    // Reads that began after position `at`: ranks [0, count) in `reads`.
    const readsBeganAfter = (at: number): number => {
      let lo = 0;
      let hi = reads.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (reads[mid]!.invokeAt > at) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };

    const staleByRead = new Map<number, { read: Read; missed: Add[] }>();
    for (const [k, add] of s.adds) {
      attempted++;
      if (add.okAt !== undefined) acknowledged++;
      if (add.allFailed) continue;
      const seen = firstSeenAt.get(k);
      const known = Math.min(add.okAt ?? Number.POSITIVE_INFINITY, seen ?? Number.POSITIVE_INFINITY);
      if (known === Number.POSITIVE_INFINITY) continue; // never acknowledged, never seen: nothing to say
      const present = presentRanks.get(k) ?? [];
      const after = readsBeganAfter(known);
      // The latest read that began after `known` and misses the element: the smallest rank below
      // `after` not in `present` (present is ascending).
      let lastAbsent: number | undefined;
      let i = 0;
      for (let r = 0; r < after; r++) {
        if (i < present.length && present[i] === r) {
          i++;
          continue;
        }
        lastAbsent = r;
        break;
      }
      const lastPresent = present.length > 0 ? present[0] : undefined; // rank 0-most = latest invoke
      if (lastAbsent === undefined) {
        if (lastPresent === undefined) neverRead.push({ key: s.key, element: add.element });
        else stable++;
        continue;
      }
      if (lastPresent === undefined || lastAbsent < lastPresent) {
        // The read that missed it began after every read that saw it: gone.
        const absent = reads[lastAbsent]!;
        const acked = add.okAt !== undefined;
        lost.push({ key: s.key, element: add.element, acknowledged: acked });
        const seenText =
          lastPresent === undefined
            ? "no read ever saw it"
            : `it was last seen by a read that began before (${whereOf(reads[lastPresent]!.op)}${onNode(reads[lastPresent]!.op)})`;
        const addOp = add.okOp ?? add.invoke;
        anomalies.push({
          type: "lost-write",
          key: s.key,
          explanation: acked
            ? `The add of ${JSON.stringify(add.element)} to ${keyText(s.key)} was acknowledged${onNode(addOp)}, yet the read at ${whereOf(absent.op)}${onNode(absent.op)}, which began after that, does not hold it, and ${seenText}; no later read saw it again.`
            : `The add of ${JSON.stringify(add.element)} to ${keyText(s.key)} had an unknown outcome${onNode(addOp)} but a read saw it, so it took effect; the read at ${whereOf(absent.op)}${onNode(absent.op)}, which began after that, does not hold it, and no later read saw it again.`,
          ops: [addOp, readRef(absent)],
          // The write is what was lost: reports place the anomaly when (and under which fault) it happened.
          op: addOp,
          element: add.element,
          acknowledged: acked,
        });
        continue;
      }
      // A read that began later than the one that missed it sees it: every miss after `known` and
      // before the last sighting is a stale read.
      stable++;
      staleElements++;
      let j = 0;
      for (let r = lastPresent + 1; r < after; r++) {
        while (j < present.length && present[j]! < r) j++;
        if (present[j] === r) continue;
        let entry = staleByRead.get(r);
        if (!entry) staleByRead.set(r, (entry = { read: reads[r]!, missed: [] }));
        entry.missed.push(add);
      }
    }

    for (const { read, missed } of [...staleByRead.values()].sort(
      (a, b) => a.read.invokeAt - b.read.invokeAt,
    )) {
      missed.sort((a, b) => a.firstInvokeAt - b.firstInvokeAt);
      anomalies.push({
        type: "stale-read",
        key: s.key,
        explanation: `The read of ${keyText(s.key)} at ${whereOf(read.op)} misses ${missed.length} element(s) that were known to be in the set before it began (${listSome(missed.map((m) => m.element))}); later reads see them.`,
        ops: [readRef(read), ...missed.slice(0, 3).map((m) => m.okOp ?? m.invoke)],
        op: readRef(read),
        elements: missed.map((m) => m.element),
      });
    }
  }

  const order: AnomalyType[] = ["lost-write", "unexpected", "duplicate", "stale-read"];
  const anomalyTypes = order.filter((t) => anomalies.some((a) => a.type === t));
  anomalies.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  const stats = {
    keys: keys.size,
    reads: readCount,
    addsAttempted: attempted,
    addsAcknowledged: acknowledged,
    stable,
    lost: lost.length,
    lostAcknowledged: lost.filter((l) => l.acknowledged).length,
    staleElements,
    staleReads: anomalies.filter((a) => a.type === "stale-read").length,
    neverRead: neverRead.length,
    unexpected: anomalies.filter((a) => a.type === "unexpected").length,
    duplicates: anomalies.filter((a) => a.type === "duplicate").length,
  };
  const detail = { lost, neverRead };
  if (anomalies.length > 0) return { valid: false, anomalyTypes, anomalies, stats, ...detail };
  if (stable === 0) {
    return {
      valid: "unknown",
      anomalyTypes: [],
      anomalies: [],
      reason:
        attempted === 0
          ? "no adds in the history: nothing to check"
          : "no read began after any add was known, so nothing could be confirmed; add final reads",
      stats,
      ...detail,
    };
  }
  return { valid: true, anomalyTypes: [], anomalies: [], stats, ...detail };
}

export const setChecker: Checker = {
  name: "set",
  description:
    "Set (Jepsen set-full): lost-write, stale-read, unexpected and duplicate elements in add/read histories",
  check: (history) => checkSet(history),
};
