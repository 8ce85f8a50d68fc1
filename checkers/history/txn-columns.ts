/**
 * A transactional history held column-wise: one typed-array slot per op and per micro-op, keys
 * and values interned to integers, read lists as ranges of one flat Int32Array. At a million
 * transactions a history of JS Op objects is ~1.4 GB and every major GC marks all of it; these
 * columns are a few hundred MB of flat arrays the GC does not walk. Ops themselves are only
 * materialized on demand (`op(i)`), for the few an anomaly cites: from the source text (line
 * kept) or, when built from Op objects, the objects themselves. Nemesis ops are left out: the
 * Elle checkers never look at them.
 */
import type { History, Op } from "./op.ts";
import { NEMESIS } from "./op.ts";

/** `type` column values. */
export const T_INVOKE = 0;
export const T_OK = 1;
export const T_FAIL = 2;
export const T_INFO = 3;
/** `type` for a type none of the four (only possible from Op objects; the checker rejects it). */
export const T_OTHER = 4;
export const TYPE_CODES: Readonly<Record<string, number>> = { invoke: 0, ok: 1, fail: 2, info: 3 };

/** `f` id of transactions (`txn`, or no `f` at all on in-memory ops). */
export const F_TXN = 0;
/** Micro-op function ids fixed up front, so the checkers compare integers. */
export const M_APPEND = 0;
export const M_READ = 1;
export const M_WRITE = 2;

/** What an op's `value` was: a list of well-formed micro-ops, null, a list of something else, or anything else. */
export const V_MOPS = 0;
export const V_NULL = 1;
export const V_OTHER = 2;
export const V_BADLIST = 3;

export interface TxnColumns {
  /** Client ops kept (every op but the nemesis's), in history order. */
  n: number;
  type: Uint8Array;
  /** Index into processNames. */
  process: Int32Array;
  processNames: (number | string)[];
  /** Index into fNames; F_TXN for transactions. */
  f: Int32Array;
  fNames: string[];
  /** `time`, NaN where the op had none. */
  time: Float64Array;
  /** V_MOPS, V_NULL, V_BADLIST or V_OTHER (malformed transaction values: `op(i)` shows them). */
  shape: Uint8Array;
  /** Micro-ops of op i: mopStart[i] .. mopStart[i + 1]. */
  mopStart: Int32Array;
  /** Index into mopFNames (M_APPEND, M_READ, M_WRITE, then others). */
  mopF: Int32Array;
  mopFNames: string[];
  /** Index into keyNames; composite keys are interned by their JSON text (as the checkers key them). */
  mopKey: Int32Array;
  keyNames: unknown[];
  /** Index into values, or -1 for null/absent, or -2 when the value is a list (see mopList). */
  mopVal: Int32Array;
  /** A list value: its elements are listVals[listStart[l]] .. listVals[listStart[l + 1]]. -1 otherwise. */
  mopList: Int32Array;
  listStart: Int32Array;
  listVals: Int32Array;
  /** Interned values: scalars by value, anything else by identity (a parsed one equals no other). */
  values: unknown[];
  /** The Op object of op i, as the object parser would have made it. */
  op(i: number): Op;
}

const MIN = 1024;
const EMPTY = { ops: 0, mops: 0, lists: 0, listVals: 0 };
/** Integers below this are interned through a typed array instead of a Map. */
const SMALL = 1 << 16;

function grow<T extends Int32Array | Uint8Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let len = a.length * 2;
  while (len < need) len *= 2;
  const b = new (a.constructor as new (n: number) => T)(len);
  b.set(a);
  return b;
}

/**
 * Appends ops and micro-ops one at a time into growing typed arrays. Used by the text reader
 * (read-txn-columns.ts) and by `columnsFromOps`, so both give the same columns.
 */
export class TxnColumnsBuilder {
  n = 0;
  type: Uint8Array;
  process: Int32Array;
  f: Int32Array;
  time: Float64Array;
  shape: Uint8Array;
  mopStart: Int32Array;
  nMops = 0;
  mopF: Int32Array;
  mopKey: Int32Array;
  mopVal: Int32Array;
  mopList: Int32Array;
  nLists = 0;
  listStart: Int32Array;
  nListVals = 0;
  listVals: Int32Array;

  /**
   * `capacity`: sizes known up front (from Op objects, which can be counted first). Growing
   * big typed arrays while a large heap is live triggers full GCs of all of it.
   */
  constructor(capacity: { ops: number; mops: number; lists: number; listVals: number } = EMPTY) {
    const ops = Math.max(MIN, capacity.ops + 2);
    const mops = Math.max(MIN, capacity.mops);
    this.type = new Uint8Array(ops);
    this.process = new Int32Array(ops);
    this.f = new Int32Array(ops);
    this.time = new Float64Array(ops);
    this.shape = new Uint8Array(ops);
    this.mopStart = new Int32Array(ops);
    this.mopF = new Int32Array(mops);
    this.mopKey = new Int32Array(mops);
    this.mopVal = new Int32Array(mops);
    this.mopList = new Int32Array(mops);
    this.listStart = new Int32Array(Math.max(MIN, capacity.lists + 2));
    this.listVals = new Int32Array(Math.max(MIN, capacity.listVals));
  }

  readonly processNames: (number | string)[] = [];
  private readonly processIds = new Map<number | string, number>();
  readonly fNames: string[] = ["txn"];
  private readonly fIds = new Map<string, number>([["txn", F_TXN]]);
  readonly mopFNames: string[] = ["append", "r", "w"];
  private readonly mopFIds = new Map<string, number>([
    ["append", M_APPEND],
    ["r", M_READ],
    ["w", M_WRITE],
  ]);
  readonly keyNames: unknown[] = [];
  private readonly keyIds = new Map<unknown, number>();
  readonly values: unknown[] = [];
  private readonly valueIds = new Map<unknown, number>();

  processId(p: number | string): number {
    let id = this.processIds.get(p);
    if (id === undefined) {
      id = this.processNames.length;
      this.processIds.set(p, id);
      this.processNames.push(p);
    }
    return id;
  }

  fId(f: string): number {
    let id = this.fIds.get(f);
    if (id === undefined) {
      id = this.fNames.length;
      this.fIds.set(f, id);
      this.fNames.push(f);
    }
    return id;
  }

  mopFId(f: string): number {
    let id = this.mopFIds.get(f);
    if (id === undefined) {
      id = this.mopFNames.length;
      this.mopFIds.set(f, id);
      this.mopFNames.push(f);
    }
    return id;
  }

  private readonly smallKeyIds = new Int32Array(SMALL);

  /** A key as the checkers key it: scalars as they are, composite keys by their JSON text. */
  keyId(k: unknown): number {
    if (typeof k === "number" && k >= 0 && k < SMALL && (k | 0) === k) {
      const known = this.smallKeyIds[k];
      if (known > 0) return known - 1;
      const fresh = this.keyIdSlow(k);
      this.smallKeyIds[k] = fresh + 1;
      return fresh;
    }
    return this.keyIdSlow(k);
  }

  private keyIdSlow(k: unknown): number {
    if (k !== null && typeof k === "object") k = JSON.stringify(k);
    let id = this.keyIds.get(k);
    if (id === undefined) {
      id = this.keyNames.length;
      this.keyIds.set(k, id);
      this.keyNames.push(k);
    }
    return id;
  }

  /** Ids of the small non-negative integers (most values), without a Map lookup: id + 1, 0 unset. */
  private readonly smallValueIds = new Int32Array(SMALL);

  /** Scalars are interned by value, objects by identity (as `===` compares them). */
  valueId(v: unknown): number {
    if (typeof v === "number" && v >= 0 && v < SMALL && (v | 0) === v) {
      const known = this.smallValueIds[v];
      if (known > 0) return known - 1;
      // 0 and -0 share a slot, as they share a Map key.
      const fresh = this.valueIdSlow(v);
      this.smallValueIds[v] = fresh + 1;
      return fresh;
    }
    return this.valueIdSlow(v);
  }

  private valueIdSlow(v: unknown): number {
    let id = this.valueIds.get(v);
    if (id === undefined) {
      id = this.values.length;
      this.valueIds.set(v, id);
      this.values.push(v);
    }
    return id;
  }

  /** Starts op n; its micro-ops follow with addMop. */
  addOp(type: number, process: number, f: number, time: number, shape: number): number {
    const i = this.n++;
    if (i + 2 > this.type.length) {
      const need = i + 2;
      this.type = grow(this.type, need);
      this.process = grow(this.process, need);
      this.f = grow(this.f, need);
      this.time = grow(this.time, need);
      this.shape = grow(this.shape, need);
      this.mopStart = grow(this.mopStart, need);
    }
    this.type[i] = type;
    this.process[i] = process;
    this.f[i] = f;
    this.time[i] = time;
    this.shape[i] = shape;
    this.mopStart[i] = this.nMops;
    this.mopStart[i + 1] = this.nMops;
    return i;
  }

  /** A micro-op of the latest op. `val`: a value id, -1 for null, -2 when `list` is a list id. */
  addMop(f: number, key: number, val: number, list: number): void {
    const m = this.nMops++;
    if (m >= this.mopF.length) {
      this.mopF = grow(this.mopF, m + 1);
      this.mopKey = grow(this.mopKey, m + 1);
      this.mopVal = grow(this.mopVal, m + 1);
      this.mopList = grow(this.mopList, m + 1);
    }
    this.mopF[m] = f;
    this.mopKey[m] = key;
    this.mopVal[m] = val;
    this.mopList[m] = list;
    this.mopStart[this.n] = this.nMops;
  }

  /** Drops the latest op's micro-ops (its value turned out malformed) and marks its shape. */
  resetMops(shape: number): void {
    const i = this.n - 1;
    this.nMops = this.mopStart[i];
    this.mopStart[i + 1] = this.nMops;
    this.shape[i] = shape;
  }

  /** Forgets everything added after the given counts (a line the fast reader gave up on). */
  rollback(n: number, nMops: number, nLists: number, nListVals: number): void {
    this.n = n;
    this.nMops = nMops;
    this.nLists = nLists;
    this.nListVals = nListVals;
  }

  /** Starts a list; its elements follow with addListVal; returns its id. */
  beginList(): number {
    const l = this.nLists++;
    if (l + 2 > this.listStart.length) this.listStart = grow(this.listStart, l + 2);
    this.listStart[l] = this.nListVals;
    this.listStart[l + 1] = this.nListVals;
    return l;
  }

  addListVal(v: number): void {
    const j = this.nListVals++;
    if (j >= this.listVals.length) this.listVals = grow(this.listVals, j + 1);
    this.listVals[j] = v;
    this.listStart[this.nLists] = this.nListVals;
  }

  finish(op: (i: number) => Op): TxnColumns {
    const n = this.n;
    const m = this.nMops;
    return {
      n,
      type: this.type.subarray(0, n),
      process: this.process.subarray(0, n),
      processNames: this.processNames,
      f: this.f.subarray(0, n),
      fNames: this.fNames,
      time: this.time.subarray(0, n),
      shape: this.shape.subarray(0, n),
      mopStart: this.mopStart.subarray(0, n + 1),
      mopF: this.mopF.subarray(0, m),
      mopFNames: this.mopFNames,
      mopKey: this.mopKey.subarray(0, m),
      keyNames: this.keyNames,
      mopVal: this.mopVal.subarray(0, m),
      mopList: this.mopList.subarray(0, m),
      listStart: this.listStart.subarray(0, this.nLists + 1),
      listVals: this.listVals.subarray(0, this.nListVals),
      values: this.values,
      op,
    };
  }
}

function isTxnF(f: unknown): boolean {
  return f === "txn" || f === undefined || f === null;
}

/** A micro-op the checkers accept the shape of: `[f, key]` or `[f, key, value]`, f a string, key a scalar or list. */
function wellFormedMop(m: unknown): m is unknown[] {
  if (!Array.isArray(m) || (m.length !== 3 && m.length !== 2) || typeof m[0] !== "string") return false;
  const k = m[1];
  return typeof k === "string" || typeof k === "number" || (k !== null && typeof k === "object");
}

/** Adds one micro-op value (null, a scalar, or a list of anything). */
function addValue(b: TxnColumnsBuilder, f: number, key: number, v: unknown): void {
  if (v === null || v === undefined) b.addMop(f, key, -1, -1);
  else if (Array.isArray(v)) {
    const l = b.beginList();
    for (const x of v) b.addListVal(b.valueId(x));
    b.addMop(f, key, -2, l);
  } else b.addMop(f, key, b.valueId(v), -1);
}

/** Adds one (non-nemesis) Op object's row and micro-ops. */
export function addOpObject(b: TxnColumnsBuilder, op: Op): void {
  const txn = isTxnF(op.f);
  const v = op.value;
  const code = TYPE_CODES[op.type as string];
  b.addOp(
    code === undefined ? T_OTHER : code,
    b.processId(op.process as number | string),
    txn ? F_TXN : b.fId(String(op.f)),
    typeof op.time === "number" ? op.time : Number.NaN,
    v === null || v === undefined ? V_NULL : Array.isArray(v) && txn ? V_MOPS : V_OTHER,
  );
  if (!txn || !Array.isArray(v)) return;
  for (const m of v as unknown[]) {
    if (!wellFormedMop(m)) {
      b.resetMops(V_BADLIST);
      return;
    }
    addValue(b, b.mopFId(m[0] as string), b.keyId(m[1]), m.length === 2 ? null : m[2]);
  }
}

/** Columns of an in-memory history; `op(i)` returns the very Op objects. */
export function columnsFromOps(history: History): TxnColumns {
  const capacity = { ops: 0, mops: 0, lists: 0, listVals: 0 };
  for (const op of history) {
    if (op.process === NEMESIS) continue;
    capacity.ops++;
    if (!isTxnF(op.f) || !Array.isArray(op.value)) continue;
    for (const m of op.value as unknown[]) {
      capacity.mops++;
      if (Array.isArray(m) && Array.isArray(m[2])) {
        capacity.lists++;
        capacity.listVals += m[2].length;
      }
    }
  }
  const b = new TxnColumnsBuilder(capacity);
  const kept: Op[] = new Array(capacity.ops);
  let k = 0;
  for (const op of history) {
    if (op.process === NEMESIS) continue;
    kept[k++] = op;
    addOpObject(b, op);
  }
  return b.finish((i) => kept[i]);
}

/** The micro-ops of op i as `[f, key, value]` arrays (keys as interned, values as read). */
export function materializeMops(c: TxnColumns, i: number): [string, unknown, unknown][] {
  const out: [string, unknown, unknown][] = [];
  for (let m = c.mopStart[i]; m < c.mopStart[i + 1]; m++) {
    out.push([c.mopFNames[c.mopF[m]], c.keyNames[c.mopKey[m]], mopValue(c, m)]);
  }
  return out;
}

/** The value of micro-op m: null, a scalar, or a fresh array of its list's elements. */
export function mopValue(c: TxnColumns, m: number): unknown {
  const v = c.mopVal[m];
  if (v >= 0) return c.values[v];
  if (v === -1) return null;
  return listValue(c, c.mopList[m]);
}

export function listValue(c: TxnColumns, l: number): unknown[] {
  const out: unknown[] = [];
  for (let j = c.listStart[l]; j < c.listStart[l + 1]; j++) out.push(c.values[c.listVals[j]]);
  return out;
}
