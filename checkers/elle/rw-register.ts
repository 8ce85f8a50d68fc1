/**
 * Inference for read/write register histories: transactions of `["w", k, v]` and `["r", k, v]`.
 *
 * Unlike list-append, a read of a register reveals only one version, not its history, so the
 * version order of each key is inferred, conservatively, from:
 * - the initial state: nil (null) precedes every written version;
 * - writes follow reads: a transaction that read x = 1 and then wrote x = 2 puts 1 before 2;
 * - optionally, `sequentialKeys` (each process sees each key's versions in order) and
 *   `linearizableKeys` (real-time order does).
 * Then T1 -wr-> T2 when T2 read what T1 wrote; for versions v1 < v2, T1 -ww-> T2 when they wrote
 * them, and T1 -rw-> T2 when T1 read v1 and T2 wrote v2. A key whose inferred order is cyclic is
 * reported (`cyclic-versions`) and contributes only wr edges.
 */
import type { Op } from "../history/op.ts";
import { ElleInputError } from "./errors.ts";
import { buildDigraph, EdgeList, RW, WR, WW } from "./graph.ts";
import { AnomalyLog, type EdgeReason, type Inference } from "./inference.ts";
import { stronglyConnectedComponents } from "./scc.ts";
import { FAIL, OK, show, type TxnTable } from "./txns.ts";

type Value = string | number | boolean;

export interface RwRegisterOptions {
  /** Assume each key is sequentially consistent: a process observes its versions in order. */
  sequentialKeys?: boolean;
  /** Assume each key is linearizable: real-time order implies version order. */
  linearizableKeys?: boolean;
}

function lineOf(op: Op): string {
  return typeof op.line === "number" ? `line ${op.line}` : `index ${op.index}`;
}

const INIT = -1;
const NONE = -2;

export function inferRwRegister(t: TxnTable, options: RwRegisterOptions = {}): Inference {
  const log = new AnomalyLog();
  const keyIds = new Map<unknown, number>();
  const keyNames: unknown[] = [];
  const versionsByKey: Map<Value, number>[] = [];
  // Versions (written values), by version id.
  const verKey: number[] = [];
  const verValue: Value[] = [];
  const verTxn: number[] = [];
  const verMop: number[] = [];
  const verFinal: number[] = [];
  // External reads and writes per transaction, flattened: txn, key, version (INIT for nil).
  const extReadTxn: number[] = [];
  const extReadKey: number[] = [];
  const extReadVer: number[] = [];
  const extReadValue: unknown[] = [];
  // For each txn, its first and last version per key (for the per-key order assumptions).
  const touches: { key: number; first: number; last: number }[][] = [];

  const keyId = (k: unknown): number => {
    let id = keyIds.get(k);
    if (id === undefined) {
      id = keyNames.length;
      keyIds.set(k, id);
      keyNames.push(k);
      versionsByKey.push(new Map());
    }
    return id;
  };

  // Pass 1: validate and index writes.
  for (let id = 0; id < t.n; id++) {
    const mops = t.mops(id);
    let finalOf: Map<number, number> | undefined;
    for (let i = 0; i < mops.length; i++) {
      const mopI = mops[i];
      const f = mopI[0];
      const k = mopI[1];
      const v = mopI[2];
      const kid = keyId(k);
      if (f === "w") {
        if (typeof v !== "number" && typeof v !== "string" && typeof v !== "boolean") {
          throw new ElleInputError(
            `micro-op ${i + 1} writes ${JSON.stringify(v)} to ${show(k)}; written values must be numbers, strings or booleans`,
            t.op(id),
          );
        }
        const vs = versionsByKey[kid];
        const prior = vs.get(v);
        if (prior !== undefined) {
          throw new ElleInputError(
            `value ${show(v)} is written to key ${show(k)} more than once (also at ${lineOf(t.op(verTxn[prior]))}); ` +
              "rw-register needs unique written values per key",
            t.op(id),
          );
        }
        const ver = verValue.length;
        vs.set(v, ver);
        verKey.push(kid);
        verValue.push(v);
        verTxn.push(id);
        verMop.push(i);
        verFinal.push(1);
        finalOf ??= new Map();
        const before = finalOf.get(kid);
        if (before !== undefined) verFinal[before] = 0;
        finalOf.set(kid, ver);
      } else if (f === "r") {
        if (t.status[id] !== OK) continue;
        if (
          v !== null &&
          v !== undefined &&
          typeof v !== "number" &&
          typeof v !== "string" &&
          typeof v !== "boolean"
        ) {
          throw new ElleInputError(
            `micro-op ${i + 1} reads key ${show(k)} as ${JSON.stringify(v)}; rw-register reads must be a single value or null`,
            t.op(id),
          );
        }
      } else {
        throw new ElleInputError(
          `micro-op ${i + 1} has unknown function ${JSON.stringify(f)}; rw-register transactions use "w" and "r"`,
          t.op(id),
        );
      }
    }
  }
  // A writer-less version (verTxn -1) stands for a value read that no transaction wrote.
  const failedVer = (v: number) => verTxn[v] >= 0 && t.status[verTxn[v]] === FAIL;

  // Pass 2: reads, internal consistency, per-txn external reads, lost updates.
  const lostUpdate = new Map<string, { key: unknown; value: unknown; ids: number[] }>();
  for (let id = 0; id < t.n; id++) {
    const mops = t.mops(id);
    const ok = t.status[id] === OK;
    const state = new Map<number, unknown>();
    const firstRead = new Map<number, number>();
    const myTouches = new Map<number, { key: number; first: number; last: number }>();
    for (let i = 0; i < mops.length; i++) {
      const mopI = mops[i];
      const f = mopI[0];
      const k = mopI[1];
      const raw = mopI[2];
      const kid = keyIds.get(k)!;
      if (f === "w") {
        const ver = versionsByKey[kid].get(raw as Value)!;
        if (ok && firstRead.has(kid) && !state.has(-kid - 1)) {
          const r = firstRead.get(kid)!;
          const group = `${kid}:${r}`;
          const e = lostUpdate.get(group) ?? { key: k, value: r === INIT ? null : verValue[r], ids: [] };
          e.ids.push(id);
          lostUpdate.set(group, e);
        }
        state.set(kid, raw);
        state.set(-kid - 1, true); // marks "this txn wrote kid"
        const tc = myTouches.get(kid);
        if (tc) tc.last = ver;
        else myTouches.set(kid, { key: kid, first: ver, last: ver });
        continue;
      }
      if (!ok) continue;
      const v = raw ?? null;
      const op = t.op(id);
      if (state.has(kid)) {
        const expected = state.get(kid);
        if (expected !== v) {
          log.add("internal", () => ({
            explanation: `The transaction at ${lineOf(op)} read ${show(k)} = ${show(v)} in micro-op ${i + 1}, but its own earlier micro-ops imply ${show(expected)}.`,
            ops: [op],
            key: k,
            expected,
          }));
        }
        continue;
      }
      state.set(kid, v);
      let ver = v === null ? INIT : (versionsByKey[kid].get(v as Value) ?? NONE);
      if (ver === NONE) {
        log.add("garbage-read", () => ({
          explanation: `The transaction at ${lineOf(op)} read ${show(k)} = ${show(v)}, but no transaction ever wrote that value.`,
          ops: [op],
          key: k,
          value: v,
        }));
        // Still a version of k, as in Elle (hand-written histories use such reads for a preloaded
        // state): its readers and the writes that follow it can still form cycles.
        ver = verValue.length;
        versionsByKey[kid].set(v as Value, ver);
        verKey.push(kid);
        verValue.push(v as Value);
        verTxn.push(-1);
        verMop.push(-1);
        verFinal.push(1);
      }
      firstRead.set(kid, ver);
      myTouches.set(kid, { key: kid, first: ver, last: ver });
      if (ver >= 0 && verTxn[ver] >= 0) {
        const writer = t.op(verTxn[ver]);
        if (verTxn[ver] === id) {
          log.add("future-read", () => ({
            explanation: `The transaction at ${lineOf(op)} read ${show(k)} = ${show(v)} before it wrote ${show(v)} itself (micro-op ${verMop[ver] + 1}).`,
            ops: [op],
            key: k,
            value: v,
          }));
          continue;
        }
        if (failedVer(ver)) {
          log.add("G1a", () => ({
            explanation: `The transaction at ${lineOf(op)} read ${show(k)} = ${show(v)}, written by the transaction at ${lineOf(writer)}, which failed (aborted).`,
            ops: [op, writer],
            key: k,
            value: v,
          }));
        } else if (!verFinal[ver]) {
          log.add("G1b", () => ({
            explanation: `The transaction at ${lineOf(op)} read ${show(k)} = ${show(v)}, an intermediate write of the transaction at ${lineOf(writer)}, which wrote ${show(k)} again later.`,
            ops: [op, writer],
            key: k,
            value: v,
          }));
        }
      }
      extReadTxn.push(id);
      extReadKey.push(kid);
      extReadVer.push(ver);
      extReadValue.push(v);
    }
    // Only final writes count as the txn's last version of a key.
    const list = [...myTouches.values()].filter((tc) => tc.first !== NONE && tc.last !== NONE);
    touches.push(list);
  }
  for (const { key, value, ids } of lostUpdate.values()) {
    if (ids.length < 2) continue;
    const ops = ids.map((id) => t.op(id));
    log.add("lost-update", () => ({
      explanation:
        `${ids.length} committed transactions (${ops.map(lineOf).join(", ")}) read the same version ${show(key)} = ${show(value)} ` +
        "and each wrote the key: all but one of those updates were built on a stale state.",
      ops,
      key,
      value,
    }));
  }

  const nVers = verValue.length;
  // Version order edges (between version ids of one key). INIT precedes everything implicitly.
  const vEdges = new EdgeList();
  const versionEdge = (a: number, b: number) => {
    if (a >= 0 && b >= 0 && a !== b) vEdges.add(a, b, 1);
  };
  for (let id = 0; id < t.n; id++) {
    if (t.status[id] !== OK) continue;
    for (const tc of touches[id]) if (tc.first !== tc.last) versionEdge(tc.first, tc.last);
  }
  if (options.sequentialKeys) {
    const lastByProcessKey = new Map<string, number>();
    for (let id = 0; id < t.n; id++) {
      if (t.status[id] === FAIL) continue;
      for (const tc of touches[id]) {
        const pk = `${t.process[id]}:${tc.key}`;
        const prev = lastByProcessKey.get(pk);
        if (prev !== undefined) versionEdge(prev, tc.first);
        lastByProcessKey.set(pk, tc.last);
      }
    }
  }
  if (options.linearizableKeys) linearizableVersionEdges(t, touches, versionEdge);

  // Keys whose inferred version order is cyclic: report, and infer no ww/rw from them.
  const vg = buildDigraph(nVers, vEdges);
  const cyclicKey = new Uint8Array(keyNames.length);
  for (const scc of stronglyConnectedComponents(vg, 1)) {
    const k = verKey[scc[0]];
    if (cyclicKey[k]) continue;
    cyclicKey[k] = 1;
    const vals = [...scc].map((v) => verValue[v]);
    log.add("cyclic-versions", () => ({
      explanation: `The inferred version order of key ${show(keyNames[k])} is cyclic among ${show(vals)}: no single order of its writes explains the reads.`,
      ops: [...scc].filter((v) => verTxn[v] >= 0).map((v) => t.op(verTxn[v])),
      key: keyNames[k],
      values: vals,
    }));
  }

  // Readers per version (INIT readers per key).
  const readersOf = new Map<number, number[]>();
  const initReaders = new Map<number, number[]>();
  for (let r = 0; r < extReadTxn.length; r++) {
    const ver = extReadVer[r];
    const m = ver === INIT ? initReaders : readersOf;
    const at = ver === INIT ? extReadKey[r] : ver;
    const list = m.get(at) ?? [];
    list.push(extReadTxn[r]);
    m.set(at, list);
  }

  const edges = new EdgeList();
  const writerOf = (v: number) => (verFinal[v] && !failedVer(v) && verTxn[v] >= 0 ? verTxn[v] : -1);
  for (let r = 0; r < extReadTxn.length; r++) {
    const ver = extReadVer[r];
    if (ver >= 0 && writerOf(ver) >= 0) edges.add(writerOf(ver), extReadTxn[r], WR);
  }
  const hasPred = new Uint8Array(nVers);
  for (let v = 0; v < nVers; v++) {
    if (cyclicKey[verKey[v]]) continue;
    for (let e = vg.offsets[v]; e < vg.offsets[v + 1]; e++) {
      const w = vg.targets[e];
      hasPred[w] = 1;
      const a = writerOf(v);
      const b = writerOf(w);
      if (b < 0) continue;
      if (a >= 0) edges.add(a, b, WW);
      for (const reader of readersOf.get(v) ?? []) edges.add(reader, b, RW);
    }
  }
  // Readers of the initial state precede the writers of the first versions.
  for (let v = 0; v < nVers; v++) {
    if (hasPred[v] || cyclicKey[verKey[v]] || writerOf(v) < 0) continue;
    for (const reader of initReaders.get(verKey[v]) ?? []) edges.add(reader, writerOf(v), RW);
  }

  const precedes = (v1: number, v2: number): boolean => {
    if (v1 === INIT) return !hasPred[v2];
    for (let e = vg.offsets[v1]; e < vg.offsets[v1 + 1]; e++) if (vg.targets[e] === v2) return true;
    return false;
  };
  const extReadsOf = (id: number): { key: number; ver: number; value: unknown }[] => {
    const out = [];
    for (let r = 0; r < extReadTxn.length; r++) {
      if (extReadTxn[r] === id) out.push({ key: extReadKey[r], ver: extReadVer[r], value: extReadValue[r] });
    }
    return out;
  };
  const finalWritesOf = (id: number): number[] => {
    const out: number[] = [];
    for (const [f, k, v] of t.mops(id)) {
      if (f !== "w") continue;
      const ver = versionsByKey[keyIds.get(k)!].get(v as Value)!;
      if (verFinal[ver]) out.push(ver);
    }
    return out;
  };

  function explain(a: number, b: number, kind: number, A: string, B: string): EdgeReason {
    if (kind === WR) {
      for (const r of extReadsOf(b)) {
        if (r.ver >= 0 && verTxn[r.ver] === a) {
          return {
            text: `${B} read ${show(keyNames[r.key])} = ${show(r.value)}, which ${A} wrote`,
            key: keyNames[r.key],
            value: r.value,
          };
        }
      }
    } else if (kind === WW) {
      for (const w2 of finalWritesOf(b)) {
        for (const w1 of finalWritesOf(a)) {
          if (verKey[w1] === verKey[w2] && precedes(w1, w2)) {
            return {
              text: `${A} wrote ${show(keyNames[verKey[w1]])} = ${show(verValue[w1])}, a version before ${B}'s write of ${show(verValue[w2])}`,
              key: keyNames[verKey[w1]],
              value: verValue[w2],
            };
          }
        }
      }
    } else if (kind === RW) {
      for (const r of extReadsOf(a)) {
        for (const w2 of finalWritesOf(b)) {
          if (verKey[w2] === r.key && precedes(r.ver, w2)) {
            return {
              text: `${A} read ${show(keyNames[r.key])} = ${show(r.value)}, a version before ${B}'s write of ${show(verValue[w2])}`,
              key: keyNames[r.key],
              value: verValue[w2],
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
 * Under per-key linearizability, if T1 completed before T2 began and both touched k, T1's last
 * version of k precedes T2's first. A per-key real-time frontier (see order-edges.ts) keeps this
 * to about n times the concurrency edges.
 */
function linearizableVersionEdges(
  t: TxnTable,
  touches: { key: number; first: number; last: number }[][],
  versionEdge: (a: number, b: number) => void,
): void {
  const frontier = new Map<number, number[]>(); // key -> txn ids
  const preds = new Map<number, Map<number, number[]>>(); // txn -> key -> frontier snapshot
  for (let i = 0; i < t.events.length; i++) {
    const ev = t.events[i];
    const id = ev >> 1;
    if (t.status[id] === FAIL) continue;
    if ((ev & 1) === 0) {
      const mine = new Map<number, number[]>();
      for (const tc of touches[id]) {
        const f = frontier.get(tc.key) ?? [];
        mine.set(tc.key, f.slice());
        for (const p of f) {
          const ptc = touches[p].find((x) => x.key === tc.key);
          if (ptc) versionEdge(ptc.last, tc.first);
        }
      }
      preds.set(id, mine);
    } else {
      const mine = preds.get(id);
      preds.delete(id);
      for (const tc of touches[id]) {
        const dominated = new Set(mine?.get(tc.key) ?? []);
        const f = (frontier.get(tc.key) ?? []).filter((p) => !dominated.has(p));
        f.push(id);
        frontier.set(tc.key, f);
      }
    }
  }
}
