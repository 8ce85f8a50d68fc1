/**
 * Inference for list-append histories: transactions of `["append", k, v]` and `["r", k, [..]]`.
 *
 * Every appended value is unique per key, so a read of `[1 2 3]` reveals the order in which the
 * database applied the appends 1, 2, 3. The longest read of each key gives its version order
 * (every other read must be a prefix of it, or the key has an incompatible order). From that
 * order: T1 -ww-> T2 when T2 appended right after T1's element; T1 -wr-> T2 when T2's read ends
 * with T1's element; T1 -rw-> T2 when T1's read ends just before T2's element. An append no read
 * ever saw is known only to follow the last element seen.
 */
import type { Op } from "../history/op.ts";
import { ElleInputError } from "./errors.ts";
import { EdgeList, RW, WR, WW } from "./graph.ts";
import { AnomalyLog, type EdgeReason, type Inference } from "./inference.ts";
import { FAIL, type MicroOp, OK, show, type TxnTable } from "./txns.ts";

type Value = string | number;

function lineOf(op: Op): string {
  return typeof op.line === "number" ? `line ${op.line}` : `index ${op.index}`;
}

export function inferListAppend(t: TxnTable): Inference {
  const log = new AnomalyLog();
  const keyIds = new Map<unknown, number>();
  const keyNames: unknown[] = [];
  // Per key: appended value -> element id.
  const elemsByKey: Map<Value, number>[] = [];
  // Element and read tables, preallocated for every micro-op (no growth garbage: at a million
  // transactions each major GC marks the whole history, so fewer is faster).
  let totalMops = 0;
  for (let id = 0; id < t.n; id++) totalMops += t.mops[id].length;
  const eTxnAll = new Int32Array(totalMops);
  const eKeyAll = new Int32Array(totalMops);
  const eIntermediateAll = new Uint8Array(totalMops);
  const elemValue: Value[] = [];
  const readTxnAll = new Int32Array(totalMops);
  const readKeyAll = new Int32Array(totalMops);
  const readList: Value[][] = [];

  const keyId = (k: unknown): number => {
    let id = keyIds.get(k);
    if (id === undefined) {
      id = keyNames.length;
      keyIds.set(k, id);
      keyNames.push(k);
      elemsByKey.push(new Map());
    }
    return id;
  };

  // Pass 1: validate, index appends and reads. Per micro-op of the current txn: its element
  // (-1 for a read) and key, reused from txn to txn.
  let mopElem = new Int32Array(8);
  let mopKey = new Int32Array(8);
  for (let id = 0; id < t.n; id++) {
    const mops = t.mops[id];
    const ok = t.status[id] === OK;
    if (mopElem.length < mops.length) {
      mopElem = new Int32Array(mops.length * 2);
      mopKey = new Int32Array(mops.length * 2);
    }
    for (let i = 0; i < mops.length; i++) {
      const mopI = mops[i];
      const f = mopI[0];
      const k = mopI[1];
      const v = mopI[2];
      const kid = keyId(k);
      mopElem[i] = -1;
      if (f === "append") {
        if (typeof v !== "number" && typeof v !== "string") {
          throw new ElleInputError(
            `micro-op ${i + 1} appends ${JSON.stringify(v)} to ${show(k)}; appended values must be numbers or strings`,
            t.ops[id],
          );
        }
        const elems = elemsByKey[kid];
        const prior = elems.get(v);
        if (prior !== undefined) {
          throw new ElleInputError(
            `value ${show(v)} is appended to key ${show(k)} more than once (also at ${lineOf(t.ops[eTxnAll[prior]])}); ` +
              "list-append needs unique appended values per key",
            t.ops[id],
          );
        }
        const e = elemValue.length;
        elems.set(v, e);
        eTxnAll[e] = id;
        eKeyAll[e] = kid;
        elemValue.push(v);
        // An earlier append of this key in the same txn is intermediate (txns are short: look back).
        mopElem[i] = e;
        mopKey[i] = kid;
        for (let j = i - 1; j >= 0; j--) {
          if (mopElem[j] >= 0 && mopKey[j] === kid) {
            eIntermediateAll[mopElem[j]] = 1;
            break;
          }
        }
      } else if (f === "r") {
        if (!ok) continue; // reads of failed or indeterminate transactions are unknown
        if (v !== null && v !== undefined && !Array.isArray(v)) {
          throw new ElleInputError(
            `micro-op ${i + 1} reads key ${show(k)} as ${JSON.stringify(v)}; list-append reads must be lists (or null)`,
            t.ops[id],
          );
        }
        const list = (v ?? []) as Value[];
        readTxnAll[readList.length] = id;
        readKeyAll[readList.length] = kid;
        readList.push(list);
      } else {
        throw new ElleInputError(
          `micro-op ${i + 1} has unknown function ${JSON.stringify(f)}; list-append transactions use "append" and "r"`,
          t.ops[id],
        );
      }
    }
  }

  const nKeys = keyNames.length;
  const nElems = elemValue.length;
  const eTxn = eTxnAll.subarray(0, nElems);
  const eKey = eKeyAll.subarray(0, nElems);
  const eIntermediate = eIntermediateAll.subarray(0, nElems);
  const failedTxn = (e: number) => t.status[eTxn[e]] === FAIL;

  // Pass 2: version order per key from its longest read.
  const nReads = readList.length;
  const readTxn = readTxnAll.subarray(0, nReads);
  const readKey = readKeyAll.subarray(0, nReads);
  const longest = new Int32Array(nKeys).fill(-1);
  for (let r = 0; r < nReads; r++) {
    const k = readKey[r];
    if (longest[k] < 0 || readList[r].length > readList[longest[k]].length) longest[k] = r;
  }
  const elemPos = new Int32Array(nElems).fill(-1);
  const orderStart = new Int32Array(nKeys + 1);
  const order = new Int32Array(nElems);
  let orderLen = 0;
  const firstFailedPos = new Int32Array(nKeys).fill(0x7fffffff);
  // Keys whose longest read has garbage or duplicates: list index and order position differ.
  const irregular = new Uint8Array(nKeys);
  for (let k = 0; k < nKeys; k++) {
    orderStart[k] = orderLen;
    if (longest[k] < 0) continue;
    const list = readList[longest[k]];
    const elems = elemsByKey[k];
    for (let i = 0; i < list.length; i++) {
      const e = elems.get(list[i]);
      if (e === undefined || elemPos[e] >= 0) {
        irregular[k] = 1; // garbage or a duplicate; reported below
        continue;
      }
      elemPos[e] = orderLen - orderStart[k];
      order[orderLen++] = e;
      if (failedTxn(e) && firstFailedPos[k] > i) firstFailedPos[k] = i;
    }
  }
  orderStart[nKeys] = orderLen;
  const orderOf = (k: number) => order.subarray(orderStart[k], orderStart[k + 1]);

  // Reads: check each against its key's order; remember the element each read ends with.
  const readLastElem = new Int32Array(nReads);
  const readLastPos = new Int32Array(nReads);
  // Reads that are not a prefix of the version order: what follows their last element in that
  // order says nothing about what they missed (a read of [2 1] against [1 2] did see 2).
  const readIncompatible = new Uint8Array(nReads);
  for (let r = 0; r < nReads; r++) {
    const k = readKey[r];
    const list = readList[r];
    const L = readList[longest[k]];
    const elems = elemsByKey[k];
    let compatible = true;
    for (let i = 0; i < list.length; i++) {
      if (list[i] !== L[i]) {
        compatible = false;
        break;
      }
    }
    if (compatible && r !== longest[k]) {
      if (list.length > firstFailedPos[k]) reportAborted(r);
    } else {
      // The longest read itself, or one that disagrees with it: look at every element.
      if (!compatible) {
        readIncompatible[r] = 1;
        const op = t.ops[readTxn[r]];
        const other = t.ops[readTxn[longest[k]]];
        log.add("incompatible-order", () => ({
          explanation:
            `Reads of key ${show(keyNames[k])} disagree on the order of appends: ${show(list)} (${lineOf(op)}) ` +
            `is not a prefix of ${show(L)} (${lineOf(other)}), so they cannot come from one timeline.`,
          ops: [op, other],
          key: keyNames[k],
          values: [list, L],
        }));
      }
      scanRead(r, elems);
    }
    let last = -1;
    if (list.length > 0) {
      last =
        compatible && !irregular[k]
          ? order[orderStart[k] + list.length - 1]
          : (elems.get(list[list.length - 1]) ?? -2);
    }
    readLastElem[r] = last;
    readLastPos[r] = last < 0 ? last : elemPos[last];
    // G1b: the read ends in another transaction's intermediate append.
    if (last >= 0 && eIntermediate[last] && eTxn[last] !== readTxn[r] && !failedTxn(last)) {
      const op = t.ops[readTxn[r]];
      const writer = t.ops[eTxn[last]];
      log.add("G1b", () => ({
        explanation:
          `The transaction at ${lineOf(op)} read ${show(keyNames[k])} = ${show(list)}, ending in ${show(elemValue[last])}, ` +
          `an intermediate append of the transaction at ${lineOf(writer)}, which appended to ${show(keyNames[k])} again later.`,
        ops: [op, writer],
        key: keyNames[k],
        element: elemValue[last],
      }));
    }
  }

  function reportAborted(r: number): void {
    const k = readKey[r];
    const list = readList[r];
    const elems = elemsByKey[k];
    for (const v of list) {
      const e = elems.get(v);
      if (e === undefined || !failedTxn(e)) continue;
      const op = t.ops[readTxn[r]];
      const writer = t.ops[eTxn[e]];
      log.add("G1a", () => ({
        explanation:
          `The transaction at ${lineOf(op)} read ${show(keyNames[k])} = ${show(list)}, which includes ${show(v)}, ` +
          `appended by the transaction at ${lineOf(writer)}, which failed (aborted).`,
        ops: [op, writer],
        key: keyNames[k],
        element: v,
      }));
      return;
    }
  }

  function scanRead(r: number, elems: Map<Value, number>): void {
    const k = readKey[r];
    const list = readList[r];
    const op = t.ops[readTxn[r]];
    const seen = new Set<Value>();
    const dups: Value[] = [];
    const garbage: Value[] = [];
    for (const v of list) {
      if (seen.has(v)) dups.push(v);
      seen.add(v);
      if (!elems.has(v)) garbage.push(v);
    }
    if (dups.length > 0) {
      log.add("duplicate-elements", () => ({
        explanation: `The transaction at ${lineOf(op)} read ${show(keyNames[k])} = ${show(list)}, in which ${show(dups)} appear more than once, though each was appended once.`,
        ops: [op],
        key: keyNames[k],
        duplicates: dups,
      }));
    }
    if (garbage.length > 0) {
      log.add("garbage-read", () => ({
        explanation: `The transaction at ${lineOf(op)} read ${show(keyNames[k])} = ${show(list)}, but no transaction ever appended ${show(garbage)} to ${show(keyNames[k])}.`,
        ops: [op],
        key: keyNames[k],
        elements: garbage,
      }));
    }
    reportAborted(r);
  }

  // Appends no read observed, per key (they follow the last observed element).
  const unobservedStart = new Int32Array(nKeys + 1);
  for (let e = 0; e < nElems; e++) if (elemPos[e] < 0 && !failedTxn(e)) unobservedStart[eKey[e] + 1]++;
  for (let k = 0; k < nKeys; k++) unobservedStart[k + 1] += unobservedStart[k];
  const unobserved = new Int32Array(unobservedStart[nKeys]);
  {
    const fill = unobservedStart.slice(0, nKeys);
    for (let e = 0; e < nElems; e++) if (elemPos[e] < 0 && !failedTxn(e)) unobserved[fill[eKey[e]]++] = e;
  }

  // Edges.
  const edges = new EdgeList();
  for (let k = 0; k < nKeys; k++) {
    const ord = orderOf(k);
    for (let i = 1; i < ord.length; i++) {
      if (!failedTxn(ord[i - 1]) && !failedTxn(ord[i])) edges.add(eTxn[ord[i - 1]], eTxn[ord[i]], WW);
    }
    if (ord.length > 0 && !failedTxn(ord[ord.length - 1])) {
      const w = eTxn[ord[ord.length - 1]];
      for (let u = unobservedStart[k]; u < unobservedStart[k + 1]; u++) edges.add(w, eTxn[unobserved[u]], WW);
    }
  }
  for (let r = 0; r < nReads; r++) {
    const k = readKey[r];
    const reader = readTxn[r];
    const last = readLastElem[r];
    const p = readLastPos[r];
    if (last === -2 || (last >= 0 && p < 0)) continue; // ends in garbage or outside the order
    if (last >= 0 && !failedTxn(last)) edges.add(eTxn[last], reader, WR);
    if (readIncompatible[r]) continue;
    if (orderStart[k] + p + 1 < orderStart[k + 1]) {
      const next = order[orderStart[k] + p + 1];
      if (!failedTxn(next)) edges.add(reader, eTxn[next], RW);
    } else {
      for (let u = unobservedStart[k]; u < unobservedStart[k + 1]; u++)
        edges.add(reader, eTxn[unobserved[u]], RW);
    }
  }

  // Dirty update: a committed append directly on top of an aborted one (info appends in between are skipped).
  for (let k = 0; k < nKeys; k++) {
    const ord = orderOf(k);
    let prevFailed = -1;
    for (let i = 0; i < ord.length; i++) {
      const st = t.status[eTxn[ord[i]]];
      if (st === FAIL) prevFailed = ord[i];
      else if (st === OK) {
        if (prevFailed >= 0) {
          const bad = prevFailed;
          const good = ord[i];
          log.add("dirty-update", () => ({
            explanation:
              `Key ${show(keyNames[k])}: the committed append of ${show(elemValue[good])} (${lineOf(t.ops[eTxn[good]])}) ` +
              `was applied on top of ${show(elemValue[bad])}, appended by a transaction that failed (${lineOf(t.ops[eTxn[bad]])}).`,
            ops: [t.ops[eTxn[bad]], t.ops[eTxn[good]]],
            key: keyNames[k],
          }));
        }
        prevFailed = -1;
      }
    }
  }

  internalAndLostUpdates(
    t,
    log,
    (k) => keyIds.get(k)!,
    (k, v) => elemsByKey[k].get(v),
  );

  const lastElemOfRead = (k: number, list: Value[]): number =>
    list.length === 0 ? -1 : (elemsByKey[k].get(list[list.length - 1]) ?? -2);
  const prevElem = (e: number): number => {
    const k = eKey[e];
    const ord = orderOf(k);
    const p = elemPos[e];
    if (p > 0) return ord[p - 1];
    if (p === 0) return -1;
    return ord.length > 0 ? ord[ord.length - 1] : -1;
  };

  function explain(a: number, b: number, kind: number, A: string, B: string): EdgeReason {
    if (kind === WW) {
      for (const [f, key, v] of t.mops[b]) {
        if (f !== "append") continue;
        const e = elemsByKey[keyIds.get(key)!].get(v as Value)!;
        const prev = prevElem(e);
        if (prev >= 0 && eTxn[prev] === a) {
          const how = elemPos[e] >= 0 ? "right after" : "after (it was never read, so only known to follow)";
          return {
            text: `${B} appended ${show(v)} to ${show(key)} ${how} ${A}'s append of ${show(elemValue[prev])}`,
            key,
            value: v,
          };
        }
      }
    } else if (kind === WR) {
      for (const [f, key, v] of t.mops[b]) {
        if (f !== "r") continue;
        const list = (v ?? []) as Value[];
        const e = lastElemOfRead(keyIds.get(key)!, list);
        if (e >= 0 && eTxn[e] === a) {
          return {
            text: `${B} read ${show(key)} = ${show(list)}, which includes ${A}'s append of ${show(elemValue[e])}`,
            key,
            value: list,
          };
        }
      }
    } else if (kind === RW) {
      for (const [f, key, v] of t.mops[a]) {
        if (f !== "r") continue;
        const list = (v ?? []) as Value[];
        const k = keyIds.get(key)!;
        const last = lastElemOfRead(k, list);
        if (last === -2) continue;
        for (const [g, key2, v2] of t.mops[b]) {
          if (g !== "append" || key2 !== key) continue;
          const e = elemsByKey[k].get(v2 as Value)!;
          if (prevElem(e) === last) {
            return {
              text: `${A} read ${show(key)} = ${show(list)}, which did not include ${B}'s append of ${show(v2)}`,
              key,
              value: v2,
            };
          }
        }
      }
    }
    return { text: `${A} precedes ${B} (${kind === WW ? "ww" : kind === WR ? "wr" : "rw"})` };
  }

  return { txns: t, edges, anomalies: log.anomalies, counts: log.counts, explain };
}

function repeatsKey(mops: MicroOp[]): boolean {
  for (let i = 1; i < mops.length; i++) {
    for (let j = 0; j < i; j++) if (mops[i][1] === mops[j][1]) return true;
  }
  return false;
}

/**
 * Anomalies visible inside single transactions, and lost updates. `internal`: a read disagrees
 * with the transaction's own earlier read or append of the key. `future-read`: a read shows an
 * element the transaction appends only later. `lost-update`: two committed transactions read the
 * same version of a key and both appended to it. Transactions are short, so each read looks back
 * over the earlier micro-ops instead of keeping per-key state (no allocation on the hot path).
 */
function internalAndLostUpdates(
  t: TxnTable,
  log: AnomalyLog,
  keyId: (k: unknown) => number,
  elemOf: (k: number, v: Value) => number | undefined,
): void {
  const lostUpdate = new Map<string, { key: unknown; read: Value[]; ids: number[] }>();
  for (let id = 0; id < t.n; id++) {
    if (t.status[id] !== OK) continue;
    const mops = t.mops[id];
    if (!repeatsKey(mops)) continue; // all three need two micro-ops on one key
    let futureReported = false;
    for (let i = 0; i < mops.length; i++) {
      const mopI = mops[i];
      const f = mopI[0];
      const k = mopI[1];
      const v = mopI[2];
      if (f === "append") {
        // Lost update candidate: the first append to k, after an external first read of k.
        let firstAccess = -1;
        let appendedBefore = false;
        for (let j = 0; j < i; j++) {
          if (mops[j][1] !== k) continue;
          if (firstAccess < 0) firstAccess = j;
          if (mops[j][0] === "append") appendedBefore = true;
        }
        if (firstAccess >= 0 && !appendedBefore && mops[firstAccess][0] === "r") {
          const r = (mops[firstAccess][2] ?? []) as Value[];
          const last = r.length === 0 ? -1 : (elemOf(keyId(k), r[r.length - 1]) ?? -2);
          const group = `${keyId(k)}:${last}`;
          const entry = lostUpdate.get(group) ?? { key: k, read: r, ids: [] };
          entry.ids.push(id);
          lostUpdate.set(group, entry);
        }
        continue;
      }
      const list = (v ?? []) as Value[];
      // Future read: this read contains an element the txn appends later.
      for (let j = i + 1; j < mops.length && !futureReported; j++) {
        const mopJ = mops[j];
        const g = mopJ[0];
        const k2 = mopJ[1];
        const v2 = mopJ[2];
        if (g === "append" && k2 === k && list.includes(v2 as Value)) {
          futureReported = true;
          const op = t.ops[id];
          log.add("future-read", () => ({
            explanation: `The transaction at ${lineOf(op)} read ${show(k)} = ${show(list)}, containing ${show(v2)}, before it appended ${show(v2)} itself (micro-op ${j + 1}).`,
            ops: [op],
            key: k,
            element: v2,
          }));
        }
      }
      // What the txn's own earlier micro-ops say this read must be: the latest earlier read of k
      // plus the appends after it, or (no earlier read) something ending in the earlier appends.
      let prevRead = -1;
      let appends = 0;
      for (let j = i - 1; j >= 0; j--) {
        if (mops[j][1] !== k) continue;
        if (mops[j][0] === "r") {
          prevRead = j;
          break;
        }
        appends++;
      }
      if (prevRead < 0 && appends === 0) continue;
      const base = prevRead >= 0 ? ((mops[prevRead][2] ?? []) as Value[]) : null;
      let consistent = base ? list.length === base.length + appends : list.length >= appends;
      if (consistent && base)
        for (let x = 0; x < base.length && consistent; x++) consistent = list[x] === base[x];
      for (let j = prevRead + 1, m = list.length - appends; j < i && consistent; j++) {
        if (mops[j][1] !== k) continue;
        consistent = list[m++] === mops[j][2];
      }
      if (!consistent) {
        const tail: Value[] = [];
        for (let j = prevRead + 1; j < i; j++) if (mops[j][1] === k) tail.push(mops[j][2] as Value);
        const expected = base ? show([...base, ...tail]) : `[... ${tail.map(show).join(" ")}]`;
        const op = t.ops[id];
        log.add("internal", () => ({
          explanation: `The transaction at ${lineOf(op)} read ${show(k)} = ${show(list)} in micro-op ${i + 1}, but its own earlier micro-ops imply ${expected}.`,
          ops: [op],
          key: k,
          expected,
        }));
      }
    }
  }
  for (const { key: k, read: v, ids } of lostUpdate.values()) {
    if (ids.length < 2) continue;
    const ops = ids.map((id) => t.ops[id]);
    log.add("lost-update", () => ({
      explanation:
        `${ids.length} committed transactions (${ops.map(lineOf).join(", ")}) read the same version of ${show(k)} = ${show(v)} ` +
        "and each appended to it: all but one of those updates were built on a stale state.",
      ops,
      key: k,
      value: v,
    }));
  }
}
