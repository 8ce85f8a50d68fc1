/**
 * How an Elle cycle anomaly is explained: its transactions, each dependency edge in words, and a
 * small graph (nodes + labelled edges) that a report can draw without knowing anything about Elle.
 *
 * A cycle anomaly (`G0`, `G1c`, `G-single`, `G-nonadjacent`, `G2-item`, and their `-process` /
 * `-realtime` variants) is an `Anomaly` (checkers/verdict.ts) whose `cycle` field is a
 * `CycleExplanation`.
 */

/**
 * Why one transaction must come before another.
 * - `ww`: write dependency; T2 overwrote (appended after) a version T1 wrote.
 * - `wr`: read dependency; T2 read a version T1 wrote.
 * - `rw`: anti-dependency; T1 read a version that T2 then overwrote.
 * - `process`: the same client process ran T1, then T2.
 * - `realtime`: T1 completed before T2 was invoked.
 */
export type DependencyKind = "ww" | "wr" | "rw" | "process" | "realtime";

/** One transaction in a cycle. */
export interface CycleNode {
  /** Short name used in the text and the drawing: "T1", "T2", ... in cycle order. */
  id: string;
  /** `index` of the transaction's completion op in the history. */
  index: number;
  /** 1-based line of the completion in the source file, when the history was read from one. */
  line?: number;
  process: number | string;
  /** `ok`, or `info` for a transaction whose outcome is unknown. */
  type: "ok" | "info";
  /** The transaction's micro-ops as completed, e.g. `[["append","x",3],["r","y",[1,2]]]`. */
  value: unknown;
  /** One-line label for a drawing, e.g. `T1 (p3): append x 3; r y [1 2]`. */
  label: string;
}

/** One dependency edge in a cycle. */
export interface CycleEdge {
  from: string;
  to: string;
  kind: DependencyKind;
  /** The key the data dependency is on (absent for process/realtime edges). */
  key?: unknown;
  /** The version or element that links the two (e.g. the element appended), when there is one. */
  value?: unknown;
  /** The edge in words: "T1 < T2 because T2 read x = [1 2], which includes T1's append of 2". */
  text: string;
}

/** A drawable cycle: nodes in cycle order, and edges such that edges[i] goes nodes[i] -> nodes[i+1 mod n]. */
export interface CycleGraph {
  nodes: CycleNode[];
  edges: CycleEdge[];
}

export interface CycleExplanation {
  /** The anomaly name, e.g. `G-single-realtime`. */
  type: string;
  graph: CycleGraph;
  /** The whole argument as one paragraph: each edge's text, then why it is a contradiction. */
  text: string;
}
