/**
 * What a workload's inference (list-append, rw-register) hands to the shared cycle search and
 * result assembly: the transactions, the data dependency edges it inferred, the anomalies it saw
 * without needing cycles, and a way to say in words why one transaction precedes another.
 */
import type { Anomaly } from "../verdict.ts";
import type { EdgeList } from "./graph.ts";
import type { TxnTable } from "./txns.ts";

export interface EdgeReason {
  /** The reason, in words, with the two transactions named as given: "T2 read x = [1 2], which includes T1's append of 2". */
  text: string;
  key?: unknown;
  value?: unknown;
}

export interface Inference {
  txns: TxnTable;
  /** ww, wr and rw edges between transaction ids (ok and info transactions only). */
  edges: EdgeList;
  /** Non-cycle anomalies: G1a, G1b, internal, lost-update, ... at most a few examples per type. */
  anomalies: Anomaly[];
  /** How many of each non-cycle anomaly there were, examples or not. */
  counts: Map<string, number>;
  /** Why a precedes b by a data edge of this kind (WW, WR or RW); a and b are named aName, bName. */
  explain(a: number, b: number, kind: number, aName: string, bName: string): EdgeReason;
}

/** Collects anomalies with a cap per type so a badly broken history still gives a small result. */
export class AnomalyLog {
  readonly anomalies: Anomaly[] = [];
  readonly counts = new Map<string, number>();
  constructor(private readonly maxPerType = 20) {}

  /** Records one; `make` is only called for the first few of each type. */
  add(type: string, make: () => { explanation: string; [detail: string]: unknown }): void {
    const n = (this.counts.get(type) ?? 0) + 1;
    this.counts.set(type, n);
    if (n <= this.maxPerType) this.anomalies.push({ ...make(), type });
  }
}
