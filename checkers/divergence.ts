/**
 * Divergence: after the faults healed and replication had time to catch up, nodes that should hold
 * the same data (one replicated database: a primary and its standbys, or regions of a multi-writer
 * setup) are read directly, key by key, and compared. Any key on which two nodes of a group
 * disagree is a `divergence`: the copies will not converge by themselves.
 *
 * Pure: the harness reads the states (it knows the store) and hands them over. A key missing on a
 * node compares as `null`. States are compared as canonical JSON (object keys sorted); a reader
 * that returns sets should sort their elements, since list order is meaningful elsewhere.
 */
import type { Anomaly, CheckerResult } from "./verdict.ts";

/** One node's final state: every key it holds, or why it could not be read. */
export interface NodeState {
  node: string;
  region?: string;
  /** Key (as text) -> the value held there. Absent when the node could not be read. */
  state?: Record<string, unknown>;
  error?: string;
}

export interface FinalStates {
  nodes: NodeState[];
  /** Nodes that should agree, as groups of node names. Default: every node in one group. */
  groups?: string[][];
}

/** JSON with object keys sorted, so equal values print equal. */
function canonical(v: unknown): string {
  if (v === undefined) return "null";
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

function listSome(xs: readonly unknown[], n = 6): string {
  const shown = xs.slice(0, n).map((x) => JSON.stringify(x));
  return xs.length > n ? `${shown.join(", ")} and ${xs.length - n} more` : shown.join(", ");
}

const isCollection = (v: unknown) => v === null || v === undefined || Array.isArray(v);

/** How the copies of one key differ, in words. */
function explain(key: string, values: Map<string, unknown>): string {
  const nodes = [...values.keys()];
  if ([...values.values()].every(isCollection)) {
    // Collections (sets, lists): who holds which elements the others lack.
    const sets = new Map(nodes.map((n) => [n, new Set(((values.get(n) ?? []) as unknown[]).map(canonical))]));
    const parts = nodes.map((n) => {
      const mine = sets.get(n)!;
      const elsewhere = new Set(nodes.filter((o) => o !== n).flatMap((o) => [...sets.get(o)!]));
      const onlyHere = [...mine].filter((e) => !elsewhere.has(e)).map((e) => JSON.parse(e));
      const missing = [...elsewhere].filter((e) => !mine.has(e)).map((e) => JSON.parse(e));
      const bits = [`${mine.size} element(s)`];
      if (onlyHere.length) bits.push(`${onlyHere.length} no other node has (${listSome(onlyHere)})`);
      if (missing.length) bits.push(`lacks ${missing.length} another node has (${listSome(missing)})`);
      return `${n} holds ${bits.join(", ")}`;
    });
    return `Key ${key} differs between nodes after healing: ${parts.join("; ")}.`;
  }
  const parts = nodes.map((n) => `${n} = ${canonical(values.get(n) ?? null)}`);
  return `Key ${key} differs between nodes after healing: ${parts.join(", ")}.`;
}

export function checkDivergence(input: FinalStates): CheckerResult {
  const byName = new Map(input.nodes.map((n) => [n.node, n]));
  const groups = input.groups ?? [input.nodes.map((n) => n.node)];
  const anomalies: Anomaly[] = [];
  const unreadable: string[] = [];
  let keysCompared = 0;

  for (const group of groups) {
    const readable: NodeState[] = [];
    for (const name of group) {
      const n = byName.get(name);
      if (!n)
        throw new Error(
          `divergence: group names node '${name}', which has no final state (nodes: ${[...byName.keys()].join(", ")})`,
        );
      if (n.state) readable.push(n);
      else unreadable.push(`${name}: ${n.error ?? "not read"}`);
    }
    if (readable.length < 2) continue;
    const keys = new Set(readable.flatMap((n) => Object.keys(n.state!)));
    for (const key of [...keys].sort()) {
      keysCompared++;
      const values = new Map(readable.map((n) => [n.node, n.state![key] ?? null]));
      if (new Set([...values.values()].map(canonical)).size <= 1) continue;
      anomalies.push({
        type: "divergence",
        key,
        explanation: explain(key, values),
        nodes: readable.map((n) => n.node),
        states: Object.fromEntries(values),
      });
    }
  }

  const stats = {
    nodes: input.nodes.length,
    groups: groups.length,
    keysCompared,
    keysDiverged: anomalies.length,
    nodesUnreadable: unreadable.length,
  };
  if (anomalies.length > 0) return { valid: false, anomalyTypes: ["divergence"], anomalies, stats };
  if (unreadable.length > 0) {
    return {
      valid: "unknown",
      anomalyTypes: [],
      anomalies: [],
      reason: `could not read the final state of ${unreadable.join("; ")}`,
      stats,
    };
  }
  return { valid: true, anomalyTypes: [], anomalies: [], stats };
}
