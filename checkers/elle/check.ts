/**
 * The shared pipeline of both Elle checkers: pair the transactions, let the workload infer data
 * dependencies and its own anomalies, add process and real-time order when the consistency
 * model needs them, search the graph for cycles, and judge against the model.
 */
import type { CheckOptions } from "../checker.ts";
import type { History } from "../history/op.ts";
import type { Anomaly, CheckerResult } from "../verdict.ts";
import { anomaliesProhibitedBy, boundary, checkableModel, graphNeeds } from "./consistency-models.ts";
import { findCycles } from "./cycles.ts";
import { explainCycle } from "./explain.ts";
import { buildDigraph } from "./graph.ts";
import type { Inference } from "./inference.ts";
import { addProcessEdges, addRealtimeEdges } from "./order-edges.ts";
import type { TxnColumns } from "../history/txn-columns.ts";
import { FAIL, INFO, OK, type TxnTable, txnTable, txnTableFromColumns } from "./txns.ts";

export const DEFAULT_MODEL = "strict-serializable";
/** Without a time limit we still stop a pathological cycle search, and say so. */
export const DEFAULT_TIME_LIMIT_MS = 120_000;
/** Cycles explained per anomaly type; the rest are counted. */
const EXPLAINED_PER_TYPE = 20;

export interface ElleResult extends CheckerResult {
  consistencyModel: string;
  /** The weakest consistency models the anomalies found rule out. */
  not: string[];
  /** Stronger models also ruled out. */
  alsoNot: string[];
  /** Anomalies found that the chosen model allows (e.g. G2-item under snapshot-isolation). */
  allowedAnomalyTypes: string[];
  allowedAnomalies: Anomaly[];
  timedOut: boolean;
}

/** `history`: Op objects, or the columns read-txn-columns.ts reads a JSON history into. */
export function runElle(
  history: History | TxnColumns,
  options: CheckOptions,
  infer: (t: TxnTable) => Inference,
): ElleResult {
  const started = Date.now();
  const model = checkableModel(options.consistencyModel ?? DEFAULT_MODEL);
  const deadline = started + (options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS);

  const phase = new Map<string, number>();
  let mark = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    phase.set(name, Math.round(now - mark));
    mark = now;
  };
  const t = Array.isArray(history) ? txnTable(history) : txnTableFromColumns(history as TxnColumns);
  lap("pairMs");
  const inf = infer(t);
  lap("inferMs");
  const needs = graphNeeds(model);
  if (needs.process) addProcessEdges(t, inf.edges);
  if (needs.realtime) addRealtimeEdges(t, inf.edges);
  lap("orderMs");
  const edgeCount = inf.edges.length;
  const g = buildDigraph(t.n, inf.edges);
  lap("graphMs");

  const search = findCycles(g, { deadline });
  lap("cyclesMs");
  const counts = new Map(inf.counts);
  const anomalies: Anomaly[] = [...inf.anomalies];
  for (const c of search.cycles) {
    const n = (counts.get(c.type) ?? 0) + 1;
    counts.set(c.type, n);
    if (n <= EXPLAINED_PER_TYPE) anomalies.push(explainCycle(inf, c));
  }

  // Like Elle, each anomaly says which consistency models it alone rules out (the weakest, and
  // the stronger ones that follow), so a report can show it next to the cycle.
  const rulesOutByType = new Map<string, { rulesOut: string[]; alsoRulesOut: string[] }>();
  for (const a of anomalies) {
    let r = rulesOutByType.get(a.type);
    if (!r) {
      const b = boundary([a.type]);
      rulesOutByType.set(a.type, (r = { rulesOut: b.not, alsoRulesOut: b.alsoNot }));
    }
    a.rulesOut = r.rulesOut;
    a.alsoRulesOut = r.alsoRulesOut;
  }

  const prohibited = anomaliesProhibitedBy(model);
  const found = [...counts.keys()].sort();
  const bad = found.filter((a) => prohibited.has(a));
  const allowed = found.filter((a) => !prohibited.has(a));
  const { not, alsoNot } = boundary(found);
  // A search abandoned (time or step budget) for a forbidden class leaves the verdict open.
  const unfinished = search.incomplete.filter((i) => prohibited.has(i.type));
  // As Elle: with no dependency at all between transactions (a lone read, every append failed)
  // the history cannot refute the model, but it does not exercise it either.
  const emptyGraph = edgeCount === 0;
  const valid =
    bad.length > 0 ? false : search.timedOut || unfinished.length > 0 || emptyGraph ? "unknown" : true;

  let ok = 0;
  let info = 0;
  let fail = 0;
  for (let i = 0; i < t.n; i++) {
    if (t.status[i] === OK) ok++;
    else if (t.status[i] === INFO) info++;
    else if (t.status[i] === FAIL) fail++;
  }
  const stats: Record<string, number | string> = {
    txns: t.n,
    ok,
    info,
    fail,
    edges: edgeCount,
    sccs: search.sccCount,
    largestScc: search.largestScc,
    incompleteSearches: search.incomplete.length,
    ...Object.fromEntries(phase),
    ms: Date.now() - started,
  };
  for (const [type, n] of counts) stats[`count:${type}`] = n;

  const result: ElleResult = {
    valid,
    anomalyTypes: bad,
    anomalies: anomalies.filter((a) => prohibited.has(a.type)),
    consistencyModel: model,
    not,
    alsoNot,
    allowedAnomalyTypes: allowed,
    allowedAnomalies: anomalies.filter((a) => !prohibited.has(a.type)),
    timedOut: search.timedOut,
    stats,
  };
  if (!search.timedOut && unfinished.length > 0 && bad.length === 0) {
    const u = unfinished[0];
    result.reason =
      `the search for ${u.type} among ${u.sccSize} strongly connected transactions exceeded its step budget ` +
      `(${unfinished.length} such search${unfinished.length === 1 ? "" : "es"}); found so far: ${found.length > 0 ? found.join(", ") : "nothing"}.`;
  }
  if (emptyGraph && bad.length === 0) {
    result.reason =
      `no dependency between any two of the ${t.n} transactions could be inferred (${ok} ok), so the history ` +
      "says nothing about isolation: Elle calls this an empty transaction graph. Check that the workload ran " +
      "(ok transactions that read what others wrote).";
  }
  if (search.timedOut) {
    const where = search.incomplete.at(-1);
    result.reason =
      `cycle search stopped at the time limit (${options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS} ms)` +
      (where
        ? ` while looking for ${where.type} among ${where.sccSize} strongly connected transactions`
        : "") +
      `; found so far: ${found.length > 0 ? found.join(", ") : "nothing"}. Raise --time-limit to search further.`;
  }
  return result;
}
