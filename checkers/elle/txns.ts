/**
 * The transactions of a history, as a table indexed by integer id: each invoke paired with its
 * completion, its status, process and the interval it ran in. Failed transactions are kept (G1a
 * and dirty updates need their writes) but never become graph nodes.
 */
import type { History, Op } from "../history/op.ts";
import { NEMESIS } from "../history/op.ts";
import { pairOps } from "../history/pairs.ts";
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
  /** The completion op (or the invoke, for a transaction that never completed). */
  ops: Op[];
  /** The invoke op of each transaction (the completion itself when there was none). */
  invokes: Op[];
  /** Micro-ops: the completion's for `ok`, otherwise the invoke's (reads unknown). */
  mops: MicroOp[][];
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
}

function isTxnOp(op: Op): boolean {
  return op.process !== NEMESIS && (op.f === "txn" || op.f === undefined || op.f === null);
}

/**
 * The micro-ops of a transaction, checked. Jepsen histories write a read in an invoke as
 * `[:r :x]` (no value): that is `[r, x, null]`. Keys may be composite (`[:anti 3]`): they are
 * keyed by their JSON text so that equal keys are one key.
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
function malformed(history: History): never {
  pairOps(history);
  throw new ElleInputError("history is not well formed (an invoke and its completion do not pair)");
}

/**
 * Pairs invokes with completions per process and builds the table. Non-txn ops are ignored.
 * One pass into preallocated typed arrays, with no per-pair objects: at a million transactions
 * the garbage would cost more than the pairing (each major GC marks the whole history). A
 * history that is not well formed is handed to `pairOps`, which names the offending line.
 */
export function txnTable(history: History): TxnTable {
  const N = history.length;
  let timed = true;
  let hasInvokes = false;
  for (let i = 0; i < N; i++) {
    const op = history[i];
    if (!isTxnOp(op)) continue;
    if (typeof op.time !== "number") timed = false;
    if (op.type === "invoke") hasInvokes = true;
  }
  // Upper bounds: at most one transaction per op.
  const ops: Op[] = [];
  const invokes: Op[] = [];
  const values: unknown[] = [];
  const status = new Uint8Array(N);
  const procs = new Int32Array(N);
  const inv = new Float64Array(N);
  const cmp = new Float64Array(N);
  const events = new Int32Array(2 * N);
  let nEvents = 0;
  const processIds = new Map<number | string, number>();
  const processNames: (number | string)[] = [];

  const procId = (p: number | string): number => {
    let id = processIds.get(p);
    if (id === undefined) {
      id = processNames.length;
      processIds.set(p, id);
      processNames.push(p);
    }
    return id;
  };
  const open = (op: Op, invokeAt: number): number => {
    const id = ops.length;
    ops.push(op);
    invokes.push(op);
    values.push(op.value);
    status[id] = INFO;
    procs[id] = procId(op.process as number | string);
    inv[id] = invokeAt;
    cmp[id] = Number.POSITIVE_INFINITY;
    return id;
  };

  if (hasInvokes) {
    // Pending op per process: the txn id, or -1 - position for a pending non-txn op (paired and
    // checked like every client op, but not kept).
    const pending = new Map<Op["process"], number>();
    for (let i = 0; i < N; i++) {
      const op = history[i];
      if (op.process === NEMESIS) continue;
      const open_ = pending.get(op.process);
      if (op.type === "invoke") {
        if (open_ !== undefined) malformed(history);
        if (isTxnOp(op)) {
          const id = open(op, timed ? (op.time as number) : i);
          events[nEvents++] = id * 2;
          pending.set(op.process, id);
        } else pending.set(op.process, -1 - i);
        continue;
      }
      if (open_ === undefined) malformed(history);
      pending.delete(op.process);
      const invoke = open_! >= 0 ? invokes[open_!] : history[-1 - open_!];
      if (invoke.f !== op.f) malformed(history);
      if (open_! < 0) continue;
      const id = open_!;
      ops[id] = op;
      if (op.type === "ok") {
        values[id] = op.value;
        status[id] = OK;
        cmp[id] = timed ? (op.time as number) : i;
        events[nEvents++] = id * 2 + 1;
      } else if (op.type === "fail") {
        status[id] = FAIL;
      } else if (op.type === "info") {
        // Reads of an indeterminate txn are unknown; its writes may have happened at any later time.
        if (Array.isArray(op.value)) values[id] = op.value;
      } else {
        throw new ElleInputError(`unknown op type ${JSON.stringify(op.type)}`, op);
      }
    }
  } else {
    // Completions only (some exported histories): no invokes, so no real-time predecessors.
    for (let i = 0; i < N; i++) {
      const op = history[i];
      if (!isTxnOp(op)) continue;
      const id = open(op, Number.NEGATIVE_INFINITY);
      const at = timed ? (op.time as number) : i;
      // No events: without invokes there is no real-time order to follow.
      if (op.type === "ok") {
        status[id] = OK;
        cmp[id] = at;
      } else if (op.type === "fail") {
        status[id] = FAIL;
      }
    }
  }

  const n = ops.length;
  const mops: MicroOp[][] = new Array(n);
  for (let id = 0; id < n; id++) mops[id] = checkMops(values[id], ops[id]);
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

  return {
    n,
    ops,
    invokes,
    mops,
    status: status.slice(0, n),
    process: procs.slice(0, n),
    processNames,
    invokeTime,
    completeTime,
    events: order,
    timed,
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
