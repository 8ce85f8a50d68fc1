/**
 * What the report needs from a linearizability anomaly (checkers/linearizability/explanation.ts):
 * the failing op, the longest partial linearization with the state after each step, the ops
 * concurrent with the failure, and the model states just before. Read defensively: it is JSON
 * from results.json, possibly from an older or foreign checker, so every field is optional and
 * plain `Op`s are accepted where `LinOp`s are expected.
 */

import type { Op } from "../checkers/history/op.ts";
import type { LinOp } from "../checkers/linearizability/explanation.ts";
import type { Anomaly } from "../checkers/verdict.ts";

/** An op as an anomaly names it: a history op, or the checker's folded interval. */
export type OpRef = Op | LinOp;

export interface LinearStep {
  op: OpRef;
  stateAfter?: string;
}

export interface LinearDetail {
  failing?: OpRef;
  /** The (possibly truncated) longest partial linearization, in order. */
  linearized: LinearStep[];
  /** Steps the checker dropped from the front: step i here is number omitted + i + 1. */
  omitted: number;
  concurrent: OpRef[];
  statesBefore: unknown[];
}

export function isLinOp(x: unknown): x is LinOp {
  return !!x && typeof x === "object" && typeof (x as LinOp).id === "number" && "start" in (x as object);
}

function isOp(x: unknown): x is Op {
  return !!x && typeof x === "object" && typeof (x as Op).f === "string" && "process" in (x as object);
}

function asRef(x: unknown): OpRef | undefined {
  if (isLinOp(x) || isOp(x)) return x;
  const inner = x && typeof x === "object" ? (x as { op?: unknown }).op : undefined;
  return isLinOp(inner) || isOp(inner) ? inner : undefined;
}

function firstOf(a: Record<string, unknown>, keys: string[]): unknown {
  for (const k of keys) if (a[k] !== undefined) return a[k];
  return undefined;
}

export function linearDetail(a: Anomaly): LinearDetail {
  const failing = asRef(firstOf(a, ["op", "failingOp", "failedOp"]));
  const rawLin = firstOf(a, ["linearization", "linearized", "partialLinearization", "longestLinearization"]);
  const linearized: LinearStep[] = [];
  if (Array.isArray(rawLin)) {
    for (const step of rawLin) {
      const op = asRef(step);
      if (!op) continue;
      const s = step && typeof step === "object" ? (step as { stateAfter?: unknown }).stateAfter : undefined;
      linearized.push({ op, stateAfter: s === undefined ? undefined : String(s) });
    }
  }
  const rawConc = firstOf(a, ["concurrent", "concurrentOps"]);
  const concurrent = Array.isArray(rawConc)
    ? rawConc.map(asRef).filter((o): o is OpRef => o !== undefined)
    : [];
  const states = firstOf(a, ["statesBefore", "states", "previousStates"]);
  const omitted = typeof a.linearizationOmitted === "number" ? a.linearizationOmitted : 0;
  return {
    failing,
    linearized,
    omitted,
    concurrent,
    statesBefore: Array.isArray(states) ? states : states === undefined ? [] : [states],
  };
}
