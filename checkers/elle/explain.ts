/**
 * Turns a found cycle into words and a drawable graph: each transaction named T1..Tn in cycle
 * order, each edge with the reason it exists, then the contradiction.
 */
import type { Op } from "../history/op.ts";
import type { Anomaly } from "../verdict.ts";
import type { FoundCycle } from "./cycles.ts";
import type { CycleEdge, CycleExplanation, CycleNode } from "./explanation.ts";
import { kindName, PROCESS, REALTIME } from "./graph.ts";
import type { Inference } from "./inference.ts";
import { OK, showTxn, type TxnTable } from "./txns.ts";

const SUMMARY: Record<string, string> = {
  G0: "a cycle of write dependencies (write cycle, dirty write)",
  G1c: "a cycle of write and read dependencies (circular information flow)",
  "G-single": "a cycle with exactly one anti-dependency (read skew)",
  "G-nonadjacent": "a cycle with several anti-dependencies, no two adjacent",
  "G2-item": "a cycle with adjacent anti-dependencies (write skew)",
};

/** Where an op sits: its line and, when the history has times, its time in seconds. */
function when(t: TxnTable, op: Op, at: number): string {
  const parts: string[] = [];
  if (typeof op.line === "number") parts.push(`line ${op.line}`);
  else parts.push(`index ${op.index}`);
  if (t.timed) parts.push(`t=${(at / 1e9).toFixed(6)}s`);
  return parts.join(", ");
}

function orderReason(t: TxnTable, a: number, b: number, kind: number, A: string, B: string): string {
  if (kind === PROCESS) return `process ${t.processNames[t.process[a]]} executed ${A} before ${B}`;
  return `${A} completed (${when(t, t.op(a), t.completeTime[a])}) before ${B} was invoked (${when(t, t.invoke(b), t.invokeTime[b])})`;
}

export function explainCycle(inf: Inference, c: FoundCycle): Anomaly {
  const t = inf.txns;
  const names = c.nodes.map((_, i) => `T${i + 1}`);
  const nodes: CycleNode[] = c.nodes.map((id, i) => {
    const op = t.op(id);
    return {
      id: names[i],
      index: op.index,
      ...(typeof op.line === "number" ? { line: op.line } : {}),
      process: op.process as number | string,
      type: t.status[id] === OK ? "ok" : "info",
      value: op.value,
      label: `${names[i]} (p${String(op.process)}): ${showTxn(t.mops(id))}`,
    };
  });
  const edges: CycleEdge[] = c.nodes.map((a, i) => {
    const j = (i + 1) % c.nodes.length;
    const b = c.nodes[j];
    const kind = c.kinds[i];
    const A = names[i];
    const B = names[j];
    if (kind === PROCESS || kind === REALTIME) {
      return {
        from: A,
        to: B,
        kind: kindName(kind),
        text: `${A} < ${B} because ${orderReason(t, a, b, kind, A, B)}`,
      };
    }
    const r = inf.explain(a, b, kind, A, B);
    return {
      from: A,
      to: B,
      kind: kindName(kind),
      ...(r.key !== undefined ? { key: r.key } : {}),
      ...(r.value !== undefined ? { value: r.value } : {}),
      text: `${A} < ${B} because ${r.text}`,
    };
  });
  const base = c.type.replace(/-(process|realtime)$/, "");
  const variant = c.type.endsWith("-realtime")
    ? ", using real-time order"
    : c.type.endsWith("-process")
      ? ", using process order"
      : "";
  const lines = [
    "Let:",
    ...nodes.map((n) => `  ${n.id} = ${showTxn(t.mops(c.nodes[Number(n.id.slice(1)) - 1]))}`),
    "Then:",
    ...edges.map(
      (e, i) =>
        `  - ${i === edges.length - 1 ? "However, " : ""}${e.text}${i === edges.length - 1 ? ": a contradiction!" : "."}`,
    ),
  ];
  const cycle: CycleExplanation = { type: c.type, graph: { nodes, edges }, text: lines.join("\n") };
  return {
    type: c.type,
    explanation: `${c.type}: ${SUMMARY[base] ?? "a dependency cycle"}${variant}, among ${nodes.length} transactions. ${edges.map((e) => e.text).join("; ")}.`,
    ops: c.nodes.map((id) => t.op(id)),
    cycle,
  };
}
