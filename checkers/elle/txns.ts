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

/** Pairs invokes with completions per process and builds the table. Non-txn ops are ignored. */
export function txnTable(history: History): TxnTable {
  const ops: Op[] = [];
  const invokes: Op[] = [];
  const values: unknown[] = [];
  const status: number[] = [];
  const procs: number[] = [];
  const inv: number[] = [];
  const cmp: number[] = [];
  // Real-time events as they appear: id * 2 for an invoke, id * 2 + 1 for a completion.
  const events: number[] = [];
  const processIds = new Map<number | string, number>();
  const processNames: (number | string)[] = [];
  const timed = history.every((op) => !isTxnOp(op) || typeof op.time === "number");

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
    status.push(INFO);
    procs.push(procId(op.process as number | string));
    inv.push(invokeAt);
    cmp.push(Number.POSITIVE_INFINITY);
    return id;
  };

  const hasInvokes = history.some((op) => op.type === "invoke" && isTxnOp(op));
  if (hasInvokes) {
    // Pairing (and its line-numbered errors for malformed histories) is shared with other checkers.
    const byPosition = new Int32Array(history.length).fill(-1);
    for (const pair of pairOps(history)) {
      if (!isTxnOp(pair.invoke)) continue;
      const id = open(pair.invoke, timed ? (pair.invoke.time as number) : pair.invokeAt);
      byPosition[pair.invokeAt] = id * 2;
      const op = pair.completion;
      if (op === undefined) continue;
      ops[id] = op;
      if (op.type === "ok") {
        values[id] = op.value;
        status[id] = OK;
        cmp[id] = timed ? (op.time as number) : pair.completeAt;
        byPosition[pair.completeAt] = id * 2 + 1;
      } else if (op.type === "fail") {
        status[id] = FAIL;
      } else if (op.type === "info") {
        // Reads of an indeterminate txn are unknown; its writes may have happened at any later time.
        if (Array.isArray(op.value)) values[id] = op.value;
      } else {
        throw new ElleInputError(`unknown op type ${JSON.stringify(op.type)}`, op);
      }
    }
    for (let i = 0; i < byPosition.length; i++) if (byPosition[i] >= 0) events.push(byPosition[i]);
  } else {
    // Completions only (some exported histories): no invokes, so no real-time predecessors.
    for (let i = 0; i < history.length; i++) {
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

  const mops = values.map((v, id) => checkMops(v, ops[id]));
  const invokeTime = Float64Array.from(inv);
  const completeTime = Float64Array.from(cmp);
  let order = Int32Array.from(events);
  const at = (e: number): number => ((e & 1) === 0 ? invokeTime[e >> 1] : completeTime[e >> 1]);
  let monotone = true;
  for (let i = 1; i < order.length && monotone; i++) monotone = at(order[i - 1]) <= at(order[i]);
  if (!monotone) {
    // Times disagree with line order: trust the clock; at equal times, invokes come first
    // (an op completing at t does not precede one invoked at t).
    order = order.slice().sort((a, b) => at(a) - at(b) || (a & 1) - (b & 1));
  }

  return {
    n: ops.length,
    ops,
    invokes,
    mops,
    status: Uint8Array.from(status),
    process: Int32Array.from(procs),
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
