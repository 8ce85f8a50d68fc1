/**
 * The operation record shared by every part of faultline. Field names follow Jepsen's so that
 * histories move between tools unchanged (see DESIGN.md, "History format").
 */

/** `fail`: definitely had no effect. `info`: outcome unknown (may take effect at any later time). */
export type OpType = "invoke" | "ok" | "fail" | "info";

/** Client processes are integers; faults are recorded under the process `"nemesis"`. */
export type Process = number | string;

export const NEMESIS = "nemesis";

export interface Op {
  /** Position in the history; unique and increasing (may be sparse on import). */
  index: number;
  type: OpType;
  process: Process;
  /** The function: `read`, `write`, `cas`, `txn`, `add`, `partition`, ... */
  f: string;
  value: unknown;
  /** Nanoseconds since the run started (monotonic). Optional on import: then line order is real-time order. */
  time?: number;
  /** Independent key, for histories checked key by key. */
  key?: unknown;
  error?: string;
  region?: string;
  node?: string;
  /** 1-based line (or element) in the source file, kept so errors can point at it. Never written out. */
  line?: number;
  [extra: string]: unknown;
}

export type History = Op[];

export function isClientOp(op: Op): boolean {
  return op.process !== NEMESIS && typeof op.process === "number";
}
