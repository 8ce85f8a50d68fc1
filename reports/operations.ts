/**
 * A history as the report sees it: client operations as intervals (invoke paired with its
 * completion) and faults as windows (nemesis start paired with its stop).
 */
import type { History, Op, OpType } from "../checkers/history/op.ts";
import type { LinOp } from "../checkers/linearizability/explanation.ts";

// reports/ imports only types from checkers/ (DESIGN.md, "Layout"): the nemesis name is restated.
const NEMESIS = "nemesis";

/** One client operation from invoke to completion. `type` is "info" when it never completed. */
export interface OpInterval {
  process: number | string;
  f: string;
  /** The completion's value where there is one (reads are filled in there), else the invoke's. */
  value: unknown;
  type: Exclude<OpType, "invoke">;
  invokeIndex: number;
  completeIndex?: number;
  /** Nanoseconds; line order stands in when the history has no times. */
  invokeTime: number;
  completeTime?: number;
  region?: string;
  node?: string;
  key?: unknown;
  error?: string;
}

/** A fault from its nemesis start to its stop (open-ended if the run ended first). */
export interface FaultWindow {
  f: string;
  /** What the nemesis said it did at start (and at stop, if that says more). */
  value: unknown;
  stopValue?: unknown;
  start: number;
  stop?: number;
  /** Set when the nemesis said the start (or stop) failed. */
  error?: string;
}

export interface OperationIndex {
  intervals: OpInterval[];
  faults: FaultWindow[];
  /** An op's history index -> its interval (both the invoke's and the completion's index map here). */
  byIndex: Map<number, OpInterval>;
  /** Last time seen in the history (ns); 0 for an empty history. */
  endTime: number;
  hasTimes: boolean;
}

/** Time of an op: its `time`, or its position when the history carries no times. */
function timeOf(op: Op, position: number, hasTimes: boolean): number {
  return hasTimes && typeof op.time === "number" ? op.time : position;
}

function isStart(op: Op): boolean | undefined {
  const v = op.value as { phase?: unknown } | null;
  const phase = op.phase ?? (v && typeof v === "object" ? v.phase : undefined);
  if (phase === "start") return true;
  if (phase === "stop") return false;
  if (op.f === "start" || op.f === "begin") return true;
  if (op.f === "stop" || op.f === "end") return false;
  if (/^(start|begin)[-_]/.test(op.f) || /[-_](start|begin)$/.test(op.f)) return true;
  if (/^(stop|end|heal)[-_]/.test(op.f) || /[-_](stop|end|heal)$/.test(op.f) || op.f === "heal") return false;
  return undefined;
}

/** `start-partition`, `partition-start` and `partition` all name the fault `partition`. */
function faultName(op: Op): string {
  if (["start", "begin", "stop", "end"].includes(op.f)) return "fault";
  return (
    op.f.replace(/^(start|begin|stop|end|heal)[-_]/, "").replace(/[-_](start|begin|stop|end|heal)$/, "") ||
    op.f
  );
}

/** Pairs invokes with completions per process, and nemesis starts with stops per fault name. */
export function indexOperations(history: History): OperationIndex {
  const hasTimes = history.some((op) => typeof op.time === "number");
  const intervals: OpInterval[] = [];
  const faults: FaultWindow[] = [];
  const byIndex = new Map<number, OpInterval>();
  const pending = new Map<number | string, OpInterval>();
  const openFaults = new Map<string, FaultWindow>();
  let endTime = 0;

  history.forEach((op, position) => {
    const t = timeOf(op, position, hasTimes);
    if (t > endTime) endTime = t;
    if (op.process === NEMESIS) {
      // The nemesis numbers each fault of the schedule (`fault`); without it, pair by name.
      const name = faultName(op);
      const pairKey = typeof op.fault === "number" ? `#${op.fault}` : name;
      const starting = isStart(op);
      const open = openFaults.get(pairKey);
      // Without an explicit phase, nemesis ops of one name alternate: start, stop, start, ...
      if (starting === true || (starting === undefined && !open)) {
        if (open) open.stop = t;
        const w: FaultWindow = { f: name, value: op.value, start: t };
        if (op.error !== undefined) w.error = String(op.error);
        faults.push(w);
        openFaults.set(pairKey, w);
      } else if (open) {
        open.stop = t;
        open.stopValue = op.value;
        if (op.error !== undefined) open.error = String(op.error);
        openFaults.delete(pairKey);
      }
      return;
    }
    if (typeof op.process !== "number" && typeof op.process !== "string") return;
    if (op.type === "invoke") {
      const iv: OpInterval = {
        process: op.process,
        f: op.f,
        value: op.value,
        type: "info",
        invokeIndex: op.index,
        invokeTime: t,
        region: op.region,
        node: op.node,
        key: op.key,
      };
      pending.set(op.process, iv);
      intervals.push(iv);
      byIndex.set(op.index, iv);
      return;
    }
    const iv = pending.get(op.process);
    if (iv) {
      pending.delete(op.process);
      iv.type = op.type;
      iv.completeIndex = op.index;
      iv.completeTime = t;
      if (op.value !== undefined && op.value !== null) iv.value = op.value;
      iv.region ??= op.region;
      iv.node ??= op.node;
      if (op.error !== undefined) iv.error = String(op.error);
      byIndex.set(op.index, iv);
    } else {
      // A completion without an invoke: keep it visible as a zero-length interval.
      const lone: OpInterval = {
        process: op.process,
        f: op.f,
        value: op.value,
        type: op.type,
        invokeIndex: op.index,
        completeIndex: op.index,
        invokeTime: t,
        completeTime: t,
        region: op.region,
        node: op.node,
        key: op.key,
        error: op.error === undefined ? undefined : String(op.error),
      };
      intervals.push(lone);
      byIndex.set(op.index, lone);
    }
  });
  return { intervals, faults, byIndex, endTime, hasTimes };
}

/** An op as an anomaly may name it: a history op, or the linearizability checker's folded interval. */
export type OpLike = Op | LinOp;

/**
 * Interval for an op named by an anomaly: found by its history index (a LinOp's `id` is its
 * invoke's index), else built from the op itself.
 */
export function intervalFor(index: OperationIndex, op: OpLike): OpInterval {
  if ("start" in op && typeof (op as LinOp).id === "number") {
    const lin = op as LinOp;
    const found = index.byIndex.get(lin.id);
    if (found) return found;
    return {
      process: lin.process,
      f: lin.f,
      value: lin.value,
      type: lin.outcome,
      invokeIndex: lin.id,
      invokeTime: lin.start,
      completeTime: lin.end ?? undefined,
    };
  }
  const o = op as Op;
  const found = typeof o.index === "number" ? index.byIndex.get(o.index) : undefined;
  if (found) return found;
  const t = typeof o.time === "number" ? o.time : 0;
  return {
    process: o.process,
    f: o.f,
    value: o.value,
    type: o.type === "invoke" ? "info" : o.type,
    invokeIndex: o.index,
    invokeTime: t,
    completeTime: o.type === "invoke" ? undefined : t,
    region: o.region,
    node: o.node,
    key: o.key,
  };
}

/** Faults active at time t (closed windows; an open window lasts to the end of the run). */
export function faultsAt(faults: FaultWindow[], t: number): FaultWindow[] {
  return faults.filter((w) => w.start <= t && (w.stop === undefined || t <= w.stop));
}
