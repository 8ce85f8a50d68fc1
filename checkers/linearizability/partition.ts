/**
 * From a history to independent sub-histories (P-compositionality: a history is linearizable
 * iff each object's sub-history is). Objects are the independent keys (`key`), and within a key
 * the groups of resources the model says ops touch (multi-register: registers; ops that touch
 * several registers join their groups, so a txn over x and y is checked with both).
 *
 * Also fixes each op's interval: its `time`s when every client op has them, else its positions
 * in the history (line order is real-time order, as in Knossos's data files). `fail` ops are
 * dropped (they had no effect), but their `f` is still checked against the model.
 */
import { HistoryParseError } from "../history/errors.ts";
import type { History, Op } from "../history/op.ts";
import { pairOps } from "../history/pairs.ts";
import { canonical } from "../models/canonical.ts";
import {
  type AnyModel,
  ModelInputError,
  type NilReads,
  type Outcome,
  type PrepareContext,
} from "../models/model.ts";

export interface LinRecord {
  invoke: Op;
  completion: Op | undefined;
  outcome: Outcome;
  input: unknown;
  start: number;
  /** Infinity for info ops (and ops that never completed). */
  end: number;
}

export interface Partition {
  /** The independent key, when the history has keys. */
  key: unknown;
  hasKey: boolean;
  /** For models with resources (multi-register): the registers of this group, sorted. */
  resources: string[] | undefined;
  /** "key 3", "registers x, y", "key 3, register x", or "history". */
  label: string;
  records: LinRecord[];
}

export interface Partitioned {
  partitions: Partition[];
  timeUnit: "ns" | "position";
  /** Ops with a `fail` completion, dropped. */
  failed: number;
}

function prepareOrThrow(
  model: AnyModel,
  invoke: Op,
  completion: Op | undefined,
  outcome: Outcome,
  fileName: string | undefined,
  context: PrepareContext,
) {
  try {
    return model.prepare(invoke, completion, outcome, context);
  } catch (e) {
    if (e instanceof ModelInputError) {
      throw new HistoryParseError(e.message, { line: completion?.line ?? invoke.line, fileName });
    }
    throw e;
  }
}

export function partitionHistory(
  history: History,
  model: AnyModel,
  opts: { fileName?: string; nilReads?: NilReads } = {},
): Partitioned {
  const context: PrepareContext = { nilReads: opts.nilReads ?? "value" };
  const pairs = pairOps(history, opts);
  const useTime = pairs.every(
    (p) =>
      typeof p.invoke.time === "number" &&
      (p.completion === undefined || typeof p.completion.time === "number"),
  );
  const byKey = new Map<string, { key: unknown; hasKey: boolean; records: LinRecord[] }>();
  let failed = 0;
  for (const p of pairs) {
    const { invoke, completion } = p;
    if (completion?.type === "fail") {
      prepareOrThrow(model, invoke, completion, "info", opts.fileName, context);
      failed++;
      continue;
    }
    const outcome: Outcome = completion?.type === "ok" ? "ok" : "info";
    const input = prepareOrThrow(model, invoke, completion, outcome, opts.fileName, context);
    const start = useTime ? (invoke.time as number) : p.invokeAt;
    const end =
      outcome === "info" ? Number.POSITIVE_INFINITY : useTime ? (completion?.time as number) : p.completeAt;
    const key = invoke.key ?? completion?.key;
    const k = key === undefined ? "" : canonical(key);
    let group = byKey.get(k);
    if (group === undefined) {
      group = { key, hasKey: key !== undefined, records: [] };
      byKey.set(k, group);
    }
    group.records.push({ invoke, completion, outcome, input, start, end });
  }
  const partitions: Partition[] = [];
  for (const g of byKey.values()) {
    const keyLabel = g.hasKey ? `key ${canonical(g.key)}` : "";
    if (model.resources === undefined) {
      partitions.push({ ...g, resources: undefined, label: keyLabel || "history" });
      continue;
    }
    for (const part of splitByResources(model, g.records)) {
      const res = part.resources;
      const resLabel = `${res.length === 1 ? "register" : "registers"} ${res.join(", ")}`;
      partitions.push({
        key: g.key,
        hasKey: g.hasKey,
        resources: res,
        label: keyLabel ? `${keyLabel}, ${resLabel}` : resLabel,
        records: part.records,
      });
    }
  }
  return { partitions, timeUnit: useTime ? "ns" : "position", failed };
}

/** Groups records whose resource sets overlap (union-find over resources). */
function splitByResources(
  model: AnyModel,
  records: LinRecord[],
): { resources: string[]; records: LinRecord[] }[] {
  const parent = new Map<string, string>();
  const find = (r: string): string => {
    let root = r;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    let x = r;
    while (x !== root) {
      const up = parent.get(x) as string;
      parent.set(x, root);
      x = up;
    }
    return root;
  };
  const resOf = records.map((r) => (model.resources as (i: unknown) => string[])(r.input));
  for (const rs of resOf) {
    for (const r of rs) if (!parent.has(r)) parent.set(r, r);
    for (let i = 1; i < rs.length; i++) {
      const a = find(rs[0]);
      const b = find(rs[i]);
      if (a !== b) parent.set(b, a);
    }
  }
  const groups = new Map<string, { resources: Set<string>; records: LinRecord[] }>();
  // Ops touching no resource (an empty txn) go with the first group; they constrain nothing.
  records.forEach((rec, i) => {
    const root = resOf[i].length > 0 ? find(resOf[i][0]) : "";
    let g = groups.get(root);
    if (g === undefined) {
      g = { resources: new Set(), records: [] };
      groups.set(root, g);
    }
    for (const r of resOf[i]) g.resources.add(r);
    g.records.push(rec);
  });
  return [...groups.values()].map((g) => ({ resources: [...g.resources].sort(), records: g.records }));
}
