/**
 * What the linearizability checker says when a key's history cannot be linearized. One
 * `NonlinearizableAnomaly` per failing key (or per register, for multi-register), in the
 * checker's `anomalies`. Shaped so a report can draw a per-process timeline around the
 * failure (as Knossos's linear.svg and Porcupine's visualization do): every op carries its
 * process and its interval on one axis, and the partial linearization gives the order found.
 */
import type { Op, Process } from "../history/op.ts";
import type { Anomaly } from "../verdict.ts";

/** One operation as the search saw it: invoke and completion folded into one interval. */
export interface LinOp {
  /** `index` of the invoke op in the history (stable id for the report). */
  id: number;
  process: Process;
  f: string;
  /** What the op asked for and, for ok ops, what it saw (a read's value). */
  value: unknown;
  /** `ok`: took effect within its interval. `info`: unknown outcome, open-ended (also for ops never completed). */
  outcome: "ok" | "info";
  /** Interval start: the invoke's `time`, or its position in the history when the history has no times. */
  start: number;
  /** Interval end (closed); `null` for info ops, which may take effect at any later time. */
  end: number | null;
  /** 1-based lines of the invoke and the completion in the source file, when known. */
  invokeLine?: number;
  completeLine?: number;
}

/** One step of the partial linearization: the op and the model state after it. */
export interface LinStep {
  op: LinOp;
  /** `describe(state)` of the model after applying `op`. */
  stateAfter: string;
}

export interface NonlinearizableAnomaly extends Anomaly {
  type: "nonlinearizable";
  /** The independent key (absent for unkeyed histories); for multi-register, the register name. */
  key?: unknown;
  /** Model name (`cas-register`, `kv`, ...). */
  model: string;
  /** Plain words: which op cannot be placed, and why no order works. */
  explanation: string;
  /**
   * The op the search could not get past: it must have taken effect by the end of its interval,
   * but no order of the ops before that point lets the model produce its result.
   */
  op: LinOp;
  /**
   * The longest partial linearization found (in order): a sequential execution of ops, each
   * legal for the model, consistent with real time, that could not be extended to include `op`.
   * Possibly a suffix only (see `linearizationOmitted`).
   */
  linearization: LinStep[];
  /** Steps dropped from the front of `linearization` to keep the anomaly small. */
  linearizationOmitted: number;
  /** Ops whose intervals overlap `op`'s (excluding `op`); each says whether the partial linearization placed it. */
  concurrent: (LinOp & { linearized: boolean })[];
  /** `describe(state)` of every distinct model state the search reached just before failing at `op` (capped). */
  statesBefore: string[];
  /** Unit of `start`/`end`: nanoseconds (`time`), or positions in the history when it has no times. */
  timeUnit: "ns" | "position";
  /** The raw ops (invoke and completion) of `op` and the concurrent ops, for the report's table. */
  ops: Op[];
}
