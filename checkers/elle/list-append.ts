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
import { listValue, M_APPEND, M_READ, mopValue, type TxnColumns } from "../history/txn-columns.ts";
import { ElleInputError } from "./errors.ts";
import { EdgeList, RW, WR, WW } from "./graph.ts";
import { AnomalyLog, type EdgeReason, type Inference } from "./inference.ts";
import { FAIL, OK, show, type TxnTable } from "./txns.ts";

function lineOf(op: Op): string {
  return typeof op.line === "number" ? `line ${op.line}` : `index ${op.index}`;
}

/**
 * Works on the history's columns: micro-ops as interned key and value ids, reads as ranges of
 * one Int32Array. Value ids are equal exactly when the values are (`===`), so comparing reads
 * compares ids; values are looked up only to put them into words.
 */
export function inferListAppend(t: TxnTable): Inference {
  const c: TxnColumns = t.cols;
  const log = new AnomalyLog();
  const mopStart = c.mopStart;
  const mopF = c.mopF;
  const mopKey = c.mopKey;
  const mopVal = c.mopVal;
  const mopList = c.mopList;
  const listStart = c.listStart;
  const listVals = c.listVals;
  const values = c.values;
  const nValues = values.length;
  // Keys numbered in order of first use by a transaction (as the object path did), so edges and
  // anomalies come out in the same order.
  const kidOf = new Int32Array(c.keyNames.length).fill(-1);
  const keyNames: unknown[] = [];
  // (key, appended value) -> element id.
  const elemOf = new Map<number, number>();
  const elemKey = (kid: number, vid: number) => kid * nValues + vid;
  let totalMops = 0;
  for (let id = 0; id < t.n; id++) totalMops += mopStart[t.mopRow[id] + 1] - mopStart[t.mopRow[id]];
  const eTxnAll = new Int32Array(totalMops);
  const eKeyAll = new Int32Array(totalMops);
  const eValAll = new Int32Array(totalMops);
  const eIntermediateAll = new Uint8Array(totalMops);
  let nElems = 0;
  const readTxnAll = new Int32Array(totalMops);
  const readKeyAll = new Int32Array(totalMops);
  // The list id of each read, -1 for a read of null (an empty list).
  const readListAll = new Int32Array(totalMops);
  let nReads = 0;
  const listLen = (l: number) => (l < 0 ? 0 : listStart[l + 1] - listStart[l]);
  const listAt = (l: number, i: number) => listVals[listStart[l] + i];
  const listShown = (l: number): unknown[] => (l < 0 ? [] : listValue(c, l));

  // Pass 1: validate, index appends and reads.
  for (let id = 0; id < t.n; id++) {
    const row = t.mopRow[id];
    const ok = t.status[id] === OK;
    const m0 = mopStart[row];
    const m1 = mopStart[row + 1];
    for (let m = m0; m < m1; m++) {
      const i = m - m0;
      const f = mopF[m];
      let kid = kidOf[mopKey[m]];
      if (kid < 0) {
        kid = kidOf[mopKey[m]] = keyNames.length;
        keyNames.push(c.keyNames[mopKey[m]]);
      }
      if (f === M_APPEND) {
        const vid = mopVal[m];
        const v = vid >= 0 ? values[vid] : undefined;
        if (typeof v !== "number" && typeof v !== "string") {
          throw new ElleInputError(
            `micro-op ${i + 1} appends ${JSON.stringify(mopValue(c, m))} to ${show(keyNames[kid])}; appended values must be numbers or strings`,
            t.op(id),
          );
        }
        const ek = elemKey(kid, vid);
        const prior = elemOf.get(ek);
        if (prior !== undefined) {
          throw new ElleInputError(
            `value ${show(v)} is appended to key ${show(keyNames[kid])} more than once (also at ${lineOf(t.op(eTxnAll[prior]))}); ` +
              "list-append needs unique appended values per key",
            t.op(id),
          );
        }
        const e = nElems++;
        elemOf.set(ek, e);
        eTxnAll[e] = id;
        eKeyAll[e] = kid;
        eValAll[e] = vid;
        // An earlier append of this key in the same txn is intermediate (txns are short: look back).
        for (let j = m - 1; j >= m0; j--) {
          if (mopF[j] === M_APPEND && kidOf[mopKey[j]] === kid) {
            eIntermediateAll[elemOf.get(elemKey(kid, mopVal[j]))!] = 1;
            break;
          }
        }
      } else if (f === M_READ) {
        if (!ok) continue; // reads of failed or indeterminate transactions are unknown
        if (mopVal[m] >= 0) {
          throw new ElleInputError(
            `micro-op ${i + 1} reads key ${show(keyNames[kid])} as ${JSON.stringify(values[mopVal[m]])}; list-append reads must be lists (or null)`,
            t.op(id),
          );
        }
        readTxnAll[nReads] = id;
        readKeyAll[nReads] = kid;
        readListAll[nReads] = mopList[m];
        nReads++;
      } else {
        throw new ElleInputError(
          `micro-op ${i + 1} has unknown function ${JSON.stringify(c.mopFNames[f])}; list-append transactions use "append" and "r"`,
          t.op(id),
        );
      }
    }
  }

  const nKeys = keyNames.length;
  const eTxn = eTxnAll.subarray(0, nElems);
  const eKey = eKeyAll.subarray(0, nElems);
  const eVal = eValAll.subarray(0, nElems);
  const eIntermediate = eIntermediateAll.subarray(0, nElems);
  const failedTxn = (e: number) => t.status[eTxn[e]] === FAIL;
  const elemValue = (e: number) => values[eVal[e]];
  const lookup = (k: number, vid: number): number | undefined => elemOf.get(elemKey(k, vid));

  // Pass 2: version order per key from its longest read.
  const readTxn = readTxnAll.subarray(0, nReads);
  const readKey = readKeyAll.subarray(0, nReads);
  const readList = readListAll.subarray(0, nReads);
  const longest = new Int32Array(nKeys).fill(-1);
  for (let r = 0; r < nReads; r++) {
    const k = readKey[r];
    if (longest[k] < 0 || listLen(readList[r]) > listLen(readList[longest[k]])) longest[k] = r;
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
    const l = readList[longest[k]];
    const len = listLen(l);
    for (let i = 0; i < len; i++) {
      const e = lookup(k, listAt(l, i));
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
    const l = readList[r];
    const len = listLen(l);
    const L = readList[longest[k]];
    const lenL = listLen(L);
    let compatible = true;
    for (let i = 0; i < len; i++) {
      if (i >= lenL || listAt(l, i) !== listAt(L, i)) {
        compatible = false;
        break;
      }
    }
    if (compatible && r !== longest[k]) {
      if (len > firstFailedPos[k]) reportAborted(r);
    } else {
      // The longest read itself, or one that disagrees with it: look at every element.
      if (!compatible) {
        readIncompatible[r] = 1;
        const op = t.op(readTxn[r]);
        const other = t.op(readTxn[longest[k]]);
        log.add("incompatible-order", () => {
          const list = listShown(l);
          const longList = listShown(L);
          return {
            explanation:
              `Reads of key ${show(keyNames[k])} disagree on the order of appends: ${show(list)} (${lineOf(op)}) ` +
              `is not a prefix of ${show(longList)} (${lineOf(other)}), so they cannot come from one timeline.`,
            ops: [op, other],
            key: keyNames[k],
            values: [list, longList],
          };
        });
      }
      scanRead(r);
    }
    let last = -1;
    if (len > 0) {
      last =
        compatible && !irregular[k] ? order[orderStart[k] + len - 1] : (lookup(k, listAt(l, len - 1)) ?? -2);
    }
    readLastElem[r] = last;
    readLastPos[r] = last < 0 ? last : elemPos[last];
    // G1b: the read ends in another transaction's intermediate append.
    if (last >= 0 && eIntermediate[last] && eTxn[last] !== readTxn[r] && !failedTxn(last)) {
      const op = t.op(readTxn[r]);
      const writer = t.op(eTxn[last]);
      const list = listShown(l);
      log.add("G1b", () => ({
        explanation:
          `The transaction at ${lineOf(op)} read ${show(keyNames[k])} = ${show(list)}, ending in ${show(elemValue(last))}, ` +
          `an intermediate append of the transaction at ${lineOf(writer)}, which appended to ${show(keyNames[k])} again later.`,
        ops: [op, writer],
        key: keyNames[k],
        element: elemValue(last),
      }));
    }
  }

  function reportAborted(r: number): void {
    const k = readKey[r];
    const l = readList[r];
    const len = listLen(l);
    for (let i = 0; i < len; i++) {
      const e = lookup(k, listAt(l, i));
      if (e === undefined || !failedTxn(e)) continue;
      const op = t.op(readTxn[r]);
      const writer = t.op(eTxn[e]);
      const list = listShown(l);
      const v = values[listAt(l, i)];
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

  function scanRead(r: number): void {
    const k = readKey[r];
    const l = readList[r];
    const len = listLen(l);
    const seen = new Set<number>();
    const dups: unknown[] = [];
    const garbage: unknown[] = [];
    for (let i = 0; i < len; i++) {
      const vid = listAt(l, i);
      if (seen.has(vid)) dups.push(values[vid]);
      seen.add(vid);
      if (lookup(k, vid) === undefined) garbage.push(values[vid]);
    }
    if (dups.length > 0 || garbage.length > 0) {
      const op = t.op(readTxn[r]);
      const list = listShown(l);
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
              `Key ${show(keyNames[k])}: the committed append of ${show(elemValue(good))} (${lineOf(t.op(eTxn[good]))}) ` +
              `was applied on top of ${show(elemValue(bad))}, appended by a transaction that failed (${lineOf(t.op(eTxn[bad]))}).`,
            ops: [t.op(eTxn[bad]), t.op(eTxn[good])],
            key: keyNames[k],
          }));
        }
        prevFailed = -1;
      }
    }
  }

  internalAndLostUpdates(t, log, kidOf, keyNames, lookup);

  const lastElemOfRead = (k: number, l: number): number => {
    const len = listLen(l);
    return len === 0 ? -1 : (lookup(k, listAt(l, len - 1)) ?? -2);
  };
  const prevElem = (e: number): number => {
    const k = eKey[e];
    const ord = orderOf(k);
    const p = elemPos[e];
    if (p > 0) return ord[p - 1];
    if (p === 0) return -1;
    return ord.length > 0 ? ord[ord.length - 1] : -1;
  };

  function explain(a: number, b: number, kind: number, A: string, B: string): EdgeReason {
    const ra = t.mopRow[a];
    const rb = t.mopRow[b];
    if (kind === WW) {
      for (let m = mopStart[rb]; m < mopStart[rb + 1]; m++) {
        if (mopF[m] !== M_APPEND) continue;
        const k = kidOf[mopKey[m]];
        const e = lookup(k, mopVal[m])!;
        const prev = prevElem(e);
        if (prev >= 0 && eTxn[prev] === a) {
          const how = elemPos[e] >= 0 ? "right after" : "after (it was never read, so only known to follow)";
          const v = values[mopVal[m]];
          return {
            text: `${B} appended ${show(v)} to ${show(keyNames[k])} ${how} ${A}'s append of ${show(elemValue(prev))}`,
            key: keyNames[k],
            value: v,
          };
        }
      }
    } else if (kind === WR) {
      for (let m = mopStart[rb]; m < mopStart[rb + 1]; m++) {
        if (mopF[m] !== M_READ) continue;
        const k = kidOf[mopKey[m]];
        const l = mopList[m];
        const e = lastElemOfRead(k, l);
        if (e >= 0 && eTxn[e] === a) {
          const list = listShown(l);
          return {
            text: `${B} read ${show(keyNames[k])} = ${show(list)}, which includes ${A}'s append of ${show(elemValue(e))}`,
            key: keyNames[k],
            value: list,
          };
        }
      }
    } else if (kind === RW) {
      for (let m = mopStart[ra]; m < mopStart[ra + 1]; m++) {
        if (mopF[m] !== M_READ) continue;
        const k = kidOf[mopKey[m]];
        const l = mopList[m];
        const last = lastElemOfRead(k, l);
        if (last === -2) continue;
        for (let m2 = mopStart[rb]; m2 < mopStart[rb + 1]; m2++) {
          if (mopF[m2] !== M_APPEND || kidOf[mopKey[m2]] !== k) continue;
          const e = lookup(k, mopVal[m2])!;
          if (prevElem(e) === last) {
            const v2 = values[mopVal[m2]];
            return {
              text: `${A} read ${show(keyNames[k])} = ${show(listShown(l))}, which did not include ${B}'s append of ${show(v2)}`,
              key: keyNames[k],
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
  kidOf: Int32Array,
  keyNames: unknown[],
  lookup: (k: number, vid: number) => number | undefined,
): void {
  const c = t.cols;
  const { mopStart, mopF, mopKey, mopVal, mopList, listStart, listVals, values } = c;
  const listLen = (l: number) => (l < 0 ? 0 : listStart[l + 1] - listStart[l]);
  const listAt = (l: number, i: number) => listVals[listStart[l] + i];
  const listShown = (l: number): unknown[] => (l < 0 ? [] : listValue(c, l));
  // Grouped by (key, last element read) as one number: a string key per append made garbage.
  const lostUpdate = new Map<number, { key: unknown; read: number; ids: number[] }>();
  const groups = mopF.length + 2; // more than there are elements (one per append at most)
  for (let id = 0; id < t.n; id++) {
    if (t.status[id] !== OK) continue;
    const row = t.mopRow[id];
    const m0 = mopStart[row];
    const m1 = mopStart[row + 1];
    // All three need two micro-ops on one key.
    let repeats = false;
    for (let i = m0 + 1; i < m1 && !repeats; i++) {
      for (let j = m0; j < i; j++) {
        if (mopKey[i] === mopKey[j]) {
          repeats = true;
          break;
        }
      }
    }
    if (!repeats) continue;
    let futureReported = false;
    for (let i = m0; i < m1; i++) {
      const kk = mopKey[i];
      const k = keyNames[kidOf[kk]];
      if (mopF[i] === M_APPEND) {
        // Lost update candidate: the first append to k, after an external first read of k.
        let firstAccess = -1;
        let appendedBefore = false;
        for (let j = m0; j < i; j++) {
          if (mopKey[j] !== kk) continue;
          if (firstAccess < 0) firstAccess = j;
          if (mopF[j] === M_APPEND) appendedBefore = true;
        }
        if (firstAccess >= 0 && !appendedBefore && mopF[firstAccess] === M_READ) {
          const r = mopList[firstAccess];
          const len = listLen(r);
          const last = len === 0 ? -1 : (lookup(kidOf[kk], listAt(r, len - 1)) ?? -2);
          const group = kidOf[kk] * groups + (last + 2);
          const entry = lostUpdate.get(group) ?? { key: k, read: r, ids: [] };
          entry.ids.push(id);
          lostUpdate.set(group, entry);
        }
        continue;
      }
      const l = mopList[i];
      const len = listLen(l);
      // Future read: this read contains an element the txn appends later.
      for (let j = i + 1; j < m1 && !futureReported; j++) {
        if (mopF[j] !== M_APPEND || mopKey[j] !== kk) continue;
        let includes = false;
        for (let x = 0; x < len && !includes; x++) includes = listAt(l, x) === mopVal[j];
        if (includes) {
          futureReported = true;
          const op = t.op(id);
          const v2 = values[mopVal[j]];
          const list = listShown(l);
          const n = j - m0 + 1;
          log.add("future-read", () => ({
            explanation: `The transaction at ${lineOf(op)} read ${show(k)} = ${show(list)}, containing ${show(v2)}, before it appended ${show(v2)} itself (micro-op ${n}).`,
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
      for (let j = i - 1; j >= m0; j--) {
        if (mopKey[j] !== kk) continue;
        if (mopF[j] === M_READ) {
          prevRead = j;
          break;
        }
        appends++;
      }
      if (prevRead < 0 && appends === 0) continue;
      const base = prevRead >= 0 ? mopList[prevRead] : -1;
      const baseLen = listLen(base);
      let consistent = prevRead >= 0 ? len === baseLen + appends : len >= appends;
      if (consistent && prevRead >= 0)
        for (let x = 0; x < baseLen && consistent; x++) consistent = listAt(l, x) === listAt(base, x);
      for (let j = (prevRead >= 0 ? prevRead : m0 - 1) + 1, m = len - appends; j < i && consistent; j++) {
        if (mopKey[j] !== kk) continue;
        consistent = listAt(l, m++) === mopVal[j];
      }
      if (!consistent) {
        const tail: unknown[] = [];
        for (let j = (prevRead >= 0 ? prevRead : m0 - 1) + 1; j < i; j++)
          if (mopKey[j] === kk) tail.push(values[mopVal[j]]);
        const expected =
          prevRead >= 0 ? show([...listShown(base), ...tail]) : `[... ${tail.map(show).join(" ")}]`;
        const op = t.op(id);
        const list = listShown(l);
        const n = i - m0 + 1;
        log.add("internal", () => ({
          explanation: `The transaction at ${lineOf(op)} read ${show(k)} = ${show(list)} in micro-op ${n}, but its own earlier micro-ops imply ${expected}.`,
          ops: [op],
          key: k,
          expected,
        }));
      }
    }
  }
  for (const { key: k, read, ids } of lostUpdate.values()) {
    if (ids.length < 2) continue;
    const ops = ids.map((id) => t.op(id));
    const v = listShown(read);
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
