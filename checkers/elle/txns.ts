/**
 * The transactions of a history, as a table indexed by integer id: each invoke paired with its
 * completion, its status, process and the interval it ran in. Failed transactions are kept (G1a
 * and dirty updates need their writes) but never become graph nodes.
 */
import type { History, Op } from "../history/op.ts";
import { pairOps } from "../history/pairs.ts";
import {
  columnsFromOps,
  F_TXN,
  materializeMops,
  T_FAIL,
  T_INFO,
  T_INVOKE,
  T_OK,
  type TxnColumns,
  V_BADLIST,
  V_MOPS,
} from "../history/txn-columns.ts";
import { ElleInputError } from "./errors.ts";

export const OK = 0;
export const INFO = 1;
export const FAIL = 2;
export type TxnStatus = typeof OK | typeof INFO | typeof FAIL;

/** A micro-op as it appears in the history: `[f, key, value]`. */
export type MicroOp = [string, unknown, unknown];
/** Keys and values must be primitives so that Map identity is value identity. */
export type Scalar = string | number | boolean | null;

export interface TxnTable {
  n: number;
  /** The history's client ops, column-wise; rows below index into it. */
  cols: TxnColumns;
  /** Row of the completion op (or the invoke, for a transaction that never completed). */
  opRow: Int32Array;
  /** Row of the invoke op (the completion itself when there was none). */
  invokeRow: Int32Array;
  /** Row whose micro-ops are the transaction's: the completion's for `ok`, otherwise the invoke's (reads unknown). */
  mopRow: Int32Array;
  status: Uint8Array;
  /** Dense process ids; `processNames[id]` is the history's process. */
  process: Int32Array;
  processNames: (number | string)[];
  /** Invoke and completion times (`time`, or position in the history when times are missing). */
  invokeTime: Float64Array;
  /** +Infinity for `info`: it may take effect at any later time. */
  completeTime: Float64Array;
  /** Invokes (id * 2) and ok completions (id * 2 + 1) in real-time order. */
  events: Int32Array;
  /** true when `time` fields were used; false when line order stood in for them. */
  timed: boolean;
  /** The completion (or lone invoke) Op, materialized: only for what an explanation cites. */
  op(id: number): Op;
  invoke(id: number): Op;
  /** The micro-ops, materialized (keys as the checkers key them: composite keys as JSON text). */
  mops(id: number): MicroOp[];
}

/**
 * The micro-ops of a transaction, checked. Jepsen histories write a read in an invoke as
 * `[:r :x]` (no value): that is `[r, x, null]`. Keys may be composite (`[:anti 3]`): they are
 * keyed by their JSON text so that equal keys are one key. The columns hold exactly what this
 * accepts; it runs on a materialized op only to throw its error for one that is malformed.
 */
function checkMops(value: unknown, op: Op): MicroOp[] {
  if (!Array.isArray(value)) {
    throw new ElleInputError(
      `transaction value must be a list of micro-ops, got ${JSON.stringify(value)}`,
      op,
    );
  }
  let out: MicroOp[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const m = value[i];
    if (!Array.isArray(m) || (m.length !== 3 && m.length !== 2) || typeof m[0] !== "string") {
      throw new ElleInputError(
        `micro-op ${i + 1} must be [f, key, value] with f a string, got ${JSON.stringify(m)}`,
        op,
      );
    }
    let k = m[1];
    if (k !== null && typeof k === "object") k = JSON.stringify(k);
    if (typeof k !== "string" && typeof k !== "number") {
      throw new ElleInputError(
        `micro-op ${i + 1} has key ${JSON.stringify(k)}; keys must be strings, numbers or lists of them`,
        op,
      );
    }
    if (m.length === 2 || k !== m[1]) {
      out ??= (value as MicroOp[]).slice(0, i);
      out.push([m[0], k, m.length === 2 ? null : m[2]]);
    } else if (out) out.push(m as MicroOp);
  }
  return out ?? (value as MicroOp[]);
}

/** `pairOps` finds the first malformed op and throws, naming its line. */
function malformed(c: TxnColumns): never {
  const history: History = [];
  for (let i = 0; i < c.n; i++) history.push(c.op(i));
  pairOps(history);
  throw new ElleInputError("history is not well formed (an invoke and its completion do not pair)");
}

/** Pairs the transactions of an in-memory history (see txnTableFromColumns). */
export function txnTable(history: History): TxnTable {
  return txnTableFromColumns(columnsFromOps(history));
}

/**
 * Pairs invokes with completions per process and builds the table. Non-txn ops are ignored.
 * One pass into preallocated typed arrays, with no per-pair objects: at a million transactions
 * the garbage would cost more than the pairing. A history that is not well formed is handed to
 * `pairOps`, which names the offending line.
 */
export function txnTableFromColumns(c: TxnColumns): TxnTable {
  const N = c.n;
  let timed = true;
  let hasInvokes = false;
  for (let i = 0; i < N; i++) {
    if (c.f[i] !== F_TXN) continue;
    if (Number.isNaN(c.time[i])) timed = false;
    if (c.type[i] === T_INVOKE) hasInvokes = true;
  }
  // Upper bounds: at most one transaction per op.
  const opRow = new Int32Array(N);
  const invokeRow = new Int32Array(N);
  const mopRow = new Int32Array(N);
  let n = 0;
  const status = new Uint8Array(N);
  const procs = new Int32Array(N);
  const inv = new Float64Array(N);
  const cmp = new Float64Array(N);
  const events = new Int32Array(2 * N);
  let nEvents = 0;

  const open = (row: number, invokeAt: number): number => {
    const id = n++;
    opRow[id] = row;
    invokeRow[id] = row;
    mopRow[id] = row;
    status[id] = INFO;
    procs[id] = c.process[row];
    inv[id] = invokeAt;
    cmp[id] = Number.POSITIVE_INFINITY;
    return id;
  };

  if (hasInvokes) {
    // Pending op per process (dense process id): the txn id + 1, or -1 - row for a pending non-txn
    // op (paired and checked like every client op, but not kept); 0 when none.
    const pending = new Float64Array(c.processNames.length);
    for (let i = 0; i < N; i++) {
      const p = c.process[i];
      const open_ = pending[p];
      if (c.type[i] === T_INVOKE) {
        if (open_ !== 0) malformed(c);
        if (c.f[i] === F_TXN) {
          const id = open(i, timed ? c.time[i] : i);
          events[nEvents++] = id * 2;
          pending[p] = id + 1;
        } else pending[p] = -1 - i;
        continue;
      }
      if (open_ === 0) malformed(c);
      pending[p] = 0;
      const invRow = open_ > 0 ? invokeRow[open_ - 1] : -1 - open_;
      if (c.f[invRow] !== c.f[i]) malformed(c);
      if (open_ < 0) continue;
      const id = open_ - 1;
      opRow[id] = i;
      const type = c.type[i];
      if (type === T_OK) {
        mopRow[id] = i;
        status[id] = OK;
        cmp[id] = timed ? c.time[i] : i;
        events[nEvents++] = id * 2 + 1;
      } else if (type === T_FAIL) {
        status[id] = FAIL;
      } else if (type === T_INFO) {
        // Reads of an indeterminate txn are unknown; its writes may have happened at any later time.
        if (c.shape[i] === V_MOPS || c.shape[i] === V_BADLIST) mopRow[id] = i;
      } else {
        const op = c.op(i);
        throw new ElleInputError(`unknown op type ${JSON.stringify(op.type)}`, op);
      }
    }
  } else {
    // Completions only (some exported histories): no invokes, so no real-time predecessors.
    for (let i = 0; i < N; i++) {
      if (c.f[i] !== F_TXN) continue;
      const id = open(i, Number.NEGATIVE_INFINITY);
      const at = timed ? c.time[i] : i;
      // No events: without invokes there is no real-time order to follow.
      if (c.type[i] === T_OK) {
        status[id] = OK;
        cmp[id] = at;
      } else if (c.type[i] === T_FAIL) {
        status[id] = FAIL;
      }
    }
  }

  // Micro-ops the checkers cannot key: throw the error the object path gives, naming the line.
  const badKey = new Uint8Array(c.keyNames.length);
  for (let k = 0; k < c.keyNames.length; k++) {
    const name = c.keyNames[k];
    badKey[k] = typeof name === "string" || typeof name === "number" ? 0 : 1;
  }
  for (let id = 0; id < n; id++) {
    const row = mopRow[id];
    let bad = c.shape[row] !== V_MOPS;
    for (let m = c.mopStart[row]; m < c.mopStart[row + 1] && !bad; m++) bad = badKey[c.mopKey[m]] === 1;
    if (bad) {
      const op = c.op(row);
      checkMops(op.value, op);
    }
  }

  const invokeTime = inv.slice(0, n);
  const completeTime = cmp.slice(0, n);
  let order = events.slice(0, nEvents);
  const at = (e: number): number => ((e & 1) === 0 ? invokeTime[e >> 1] : completeTime[e >> 1]);
  let monotone = true;
  for (let i = 1; i < order.length && monotone; i++) monotone = at(order[i - 1]) <= at(order[i]);
  if (!monotone) {
    // Times disagree with line order: trust the clock; at equal times, invokes come first
    // (an op completing at t does not precede one invoked at t).
    order = order.slice().sort((a, b) => at(a) - at(b) || (a & 1) - (b & 1));
  }

  const ops = opRow.slice(0, n);
  const invokes = invokeRow.slice(0, n);
  const mopRows = mopRow.slice(0, n);
  return {
    n,
    cols: c,
    opRow: ops,
    invokeRow: invokes,
    mopRow: mopRows,
    status: status.slice(0, n),
    process: procs.slice(0, n),
    processNames: c.processNames,
    invokeTime,
    completeTime,
    events: order,
    timed,
    op: (id) => c.op(ops[id]),
    invoke: (id) => c.op(invokes[id]),
    mops: (id) => materializeMops(c, mopRows[id]) as MicroOp[],
  };
}

/** `[1 2 3]`-style rendering of values for explanations. */
export function show(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(show).join(" ")}]`;
  if (v === null || v === undefined) return "nil";
  if (typeof v === "string") return v;
  return String(v);
}

/** A one-line rendering of a transaction: `append x 3; r y [1 2]`. */
export function showTxn(mops: MicroOp[]): string {
  return mops.map(([f, k, v]) => `${f} ${show(k)} ${show(v)}`).join("; ");
}
