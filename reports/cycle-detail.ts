/**
 * What the report needs from an Elle cycle anomaly (checkers/elle/explanation.ts): a small graph
 * of the cycle's transactions (nodes) and dependency edges (ww, wr, rw, process, realtime), each
 * with words saying why it holds. Read defensively: it is JSON from results.json, so the
 * CycleExplanation shape is preferred and a bare `graph` or `steps` list is accepted too.
 */
import type { CycleExplanation } from "../checkers/elle/explanation.ts";
import type { Anomaly } from "../checkers/verdict.ts";

export interface DrawNode {
  id: string;
  /** Short label drawn in the node ("T1"). */
  label: string;
  /** Longer text: the transaction's micro-ops and process. */
  detail: string;
  /** History index of the transaction's completion, to find it in the history. */
  index?: number;
}

export interface DrawEdge {
  from: string;
  to: string;
  /** Dependency kind drawn on the arrow: ww, wr, rw, process, realtime. */
  label: string;
  /** The edge in words ("T1 < T2 because T2 read x = [1 2], which includes T1's append of 2"). */
  explanation?: string;
}

export interface DrawGraph {
  nodes: DrawNode[];
  edges: DrawEdge[];
  /** The whole argument as text, when the checker gave one. */
  text?: string;
}

function str(x: unknown): string | undefined {
  return typeof x === "string" ? x : typeof x === "number" ? String(x) : undefined;
}

function obj(x: unknown): Record<string, unknown> {
  return x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
}

/** Builds the drawable graph from the anomaly's `cycle` (CycleExplanation) or a bare `graph`; undefined if neither. */
export function cycleGraph(a: Anomaly): DrawGraph | undefined {
  const cycle = obj(a.cycle) as Partial<CycleExplanation>;
  const g = obj(cycle.graph ?? a.graph);
  if (!Array.isArray(g.nodes) || !g.nodes.length) return undefined;
  const nodes: DrawNode[] = g.nodes.map((raw, i) => {
    const o = obj(raw);
    const id = str(o.id) ?? `T${i + 1}`;
    return {
      id,
      label: id.length <= 6 ? id : `T${i + 1}`,
      detail: str(o.label) ?? str(o.detail) ?? id,
      index: typeof o.index === "number" ? o.index : undefined,
    };
  });
  const ids = new Set(nodes.map((n) => n.id));
  const edges: DrawEdge[] = [];
  for (const raw of Array.isArray(g.edges) ? g.edges : []) {
    const o = obj(raw);
    const from = str(o.from);
    const to = str(o.to);
    if (from === undefined || to === undefined || !ids.has(from) || !ids.has(to)) continue;
    edges.push({
      from,
      to,
      label: str(o.kind) ?? str(o.label) ?? str(o.type) ?? "dep",
      explanation: str(o.text) ?? str(o.explanation),
    });
  }
  return { nodes, edges, text: str(cycle.text) };
}
