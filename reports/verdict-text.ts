/**
 * The verdict in plain words, for the top of the report, the job summary and JUnit:
 * "Not linearizable: 14 stale reads served by eu-west during partition (cut eu-west replication)".
 */
import type { Op } from "../checkers/history/op.ts";
import {
  type Anomaly,
  type AnomalyType,
  anomalyCounts,
  type Results,
  type Validity,
} from "../checkers/verdict.ts";
import { compactValue } from "./escape.ts";
import { type FaultWindow, faultsAt, intervalFor, type OperationIndex, type OpLike } from "./operations.ts";

export interface VerdictText {
  valid: Validity;
  /** One sentence; plain text (escape before putting it in markup). */
  headline: string;
  /** Anomaly counts by type, most frequent first. */
  counts: { type: AnomalyType; count: number }[];
}

const NOUNS: Record<string, [string, string]> = {
  nonlinearizable: ["operation that cannot be linearized", "operations that cannot be linearized"],
  "stale-read": ["stale read", "stale reads"],
  "lost-write": ["lost acknowledged write", "lost acknowledged writes"],
  unexpected: ["read of a value never written", "reads of values never written"],
  duplicate: ["duplicated element", "duplicated elements"],
  "never-read": ["write never read back", "writes never read back"],
  divergence: ["divergence between regions", "divergences between regions"],
  "wrong-total": ["wrong total", "wrong totals"],
  "negative-value": ["negative balance", "negative balances"],
  "counter-out-of-range": ["counter read out of range", "counter reads out of range"],
  "nil-balance": ["read with a missing balance", "reads with missing balances"],
  "unexpected-key": ["read of an unknown account", "reads of unknown accounts"],
  "long-fork": ["long fork", "long forks"],
  "slo-violation": ["SLO violation", "SLO violations"],
};

/** Elle's cycle anomalies (G1a and G1b are single reads, not cycles). */
const CYCLE = /^(G0|G1c|G-single|G-nonadjacent|G2-item|G2)(-process|-realtime)?$/;

/** "14 stale reads", "1 G-single cycle", "2 internal anomalies". */
export function countNoun(type: AnomalyType, n: number): string {
  const known = NOUNS[type];
  if (known) return `${n} ${n === 1 ? known[0] : known[1]}`;
  if (CYCLE.test(type)) return `${n} ${type} ${n === 1 ? "cycle" : "cycles"}`;
  if (type === "G1a") return `${n} aborted ${n === 1 ? "read" : "reads"} (G1a)`;
  if (type === "G1b") return `${n} intermediate ${n === 1 ? "read" : "reads"} (G1b)`;
  if (/^(read-your-writes|monotonic-|writes-follow-reads)/.test(type))
    return `${n} ${type} ${n === 1 ? "violation" : "violations"}`;
  return `${n} ${type} ${n === 1 ? "anomaly" : "anomalies"}`;
}

/**
 * The op an anomaly is about: the one the checker names (`op`), else the one of its ops that
 * completed last, which is when the anomaly became observable (the stale read after the write
 * it missed; the reader of an aborted write).
 */
export function subjectOp(anomaly: Anomaly, ops: OperationIndex): OpLike | undefined {
  for (const k of ["op", "failingOp", "failedOp", "read"]) {
    const v = anomaly[k] as OpLike | undefined;
    if (v && typeof v === "object" && typeof v.f === "string") return v;
  }
  const list = Array.isArray(anomaly.ops) ? anomaly.ops.filter((o) => o && typeof o === "object") : [];
  let best: Op | undefined;
  let bestT = Number.NEGATIVE_INFINITY;
  for (const o of list) {
    const iv = intervalFor(ops, o);
    const t = iv.completeTime ?? iv.invokeTime;
    if (t >= bestT) {
      best = o;
      bestT = t;
    }
  }
  return best;
}

/** A fault in words: its own description when it gave one, else its name and value. */
export function describeFault(w: FaultWindow): string {
  const v = w.value;
  // The nemesis says what it did in words ("isolate eu-west (blackhole): cut ..."): quote it.
  if (typeof v === "string" && v.trim()) return `${w.f} “${compactValue(v, 80)}”`;
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const k of ["description", "summary", "message", "desc"]) {
      if (typeof o[k] === "string") return `${w.f} (${compactValue(o[k], 80)})`;
    }
    if (Array.isArray(o.isolate)) return `${w.f} (${o.isolate.map(String).join(", ")} isolated)`;
  }
  return v === undefined || v === null ? w.f : `${w.f} ${compactValue(v, 80)}`;
}

const READ_FS = new Set(["read", "r", "get", "dequeue", "query"]);

interface Context {
  /** "served by eu-west", "in us-east". */
  where?: string;
  /** "during partition (...)", "37 of them during ...", "with no fault active". */
  when?: string;
  /** True when `when` covers every anomaly (no comma needed before it). */
  whenAll?: boolean;
}

/** Where and when the anomalies of one type happened. */
function context(anomalies: Anomaly[], ops: OperationIndex): Context {
  const subjects = anomalies.map((a) => subjectOp(a, ops)).filter((o): o is OpLike => o !== undefined);
  if (!subjects.length) return {};
  const ivs = subjects.map((o) => intervalFor(ops, o));
  const out: Context = {};
  const regions = new Set(ivs.map((iv) => iv.region).filter((r) => r !== undefined));
  if (regions.size === 1 && ivs.every((iv) => iv.region !== undefined)) {
    const region = [...regions][0];
    out.where = ivs.every((iv) => READ_FS.has(iv.f)) ? `served by ${region}` : `in ${region}`;
  }
  // The fault(s) these anomalies fell inside, and how many did: "4 of them during ...".
  const tally = new Map<string, number>();
  let inside = 0;
  for (const iv of ivs) {
    const active = faultsAt(ops.faults, iv.completeTime ?? iv.invokeTime);
    if (active.length) inside++;
    for (const w of active) tally.set(describeFault(w), (tally.get(describeFault(w)) ?? 0) + 1);
  }
  if (inside > 0) {
    const top = [...tally.entries()].sort((a, b) => b[1] - a[1]);
    const which = `${top[0][0]}${top.length > 1 ? ` and ${top.length - 1} other fault${top.length > 2 ? "s" : ""}` : ""}`;
    out.whenAll = inside === ivs.length;
    out.when = out.whenAll ? `during ${which}` : `${inside} of them during ${which}`;
  } else if (ops.faults.length > 0 && inside === 0) {
    out.when = "with no fault active";
    out.whenAll = true;
  }
  return out;
}

/** "1 read that cannot be linearized (key 0)": the op's own name reads better than "operation". */
function nonlinearizableNoun(anomalies: Anomaly[], count: number, ops: OperationIndex): string {
  const fs = new Set(
    anomalies.map((a) => subjectOp(a, ops)).map((o) => (o ? intervalFor(ops, o).f : undefined)),
  );
  const f = fs.size === 1 ? [...fs][0] : undefined;
  const noun =
    f && /^[a-z][\w-]*$/i.test(f)
      ? `${f}${count === 1 ? "" : "s"}`
      : count === 1
        ? "operation"
        : "operations";
  const key =
    anomalies.length === 1 && anomalies[0].key !== undefined
      ? ` (key ${compactValue(anomalies[0].key, 40)})`
      : "";
  return `${count} ${noun} that cannot be linearized${key}`;
}

/** Leads for anomaly types that tell the story better than "not linearizable" when they are counted first. */
const LEADS: Record<string, string> = {
  "read-your-writes": "Sessions did not read their own writes",
  "monotonic-reads": "Reads went back in time",
  "lost-write": "Acknowledged writes lost",
  divergence: "Regions diverged",
};

function leadFor(results: Results, types: AnomalyType[], first: AnomalyType): string {
  if (LEADS[first]) return LEADS[first];
  if (types.includes("nonlinearizable")) return "Not linearizable";
  // Elle: the model that had to hold, and the weakest models violated ("not even ...").
  const words = (m: unknown) => String(m).replace(/-/g, " ");
  for (const c of Object.values(results.checkers)) {
    if (c.valid !== false) continue;
    const not = Array.isArray(c.not) ? c.not.map(words) : [];
    const model = typeof c.consistencyModel === "string" ? words(c.consistencyModel) : undefined;
    if (model)
      return `Not ${model}${not.length && !not.includes(model) ? ` (not even ${not.join(" or ")})` : ""}`;
    if (not.length) return `Not ${not.join(" or ")}`;
  }
  if (types.includes("lost-write")) return "Acknowledged writes lost";
  if (types.includes("divergence")) return "Regions diverged";
  return "Anomalies found";
}

export function verdictText(results: Results, ops: OperationIndex): VerdictText {
  const byType = new Map<AnomalyType, Anomaly[]>();
  const totals = new Map<AnomalyType, number>();
  for (const c of Object.values(results.checkers)) {
    for (const a of c.anomalies ?? []) {
      const list = byType.get(a.type) ?? [];
      list.push(a);
      byType.set(a.type, list);
    }
    // Counted, not only listed: checkers explain the first few of a type and count the rest.
    for (const [t, n] of anomalyCounts(c)) {
      totals.set(t, (totals.get(t) ?? 0) + n);
      if (!byType.has(t)) byType.set(t, []);
    }
  }
  const counts = [...totals.entries()]
    .map(([type, count]) => ({ type, count }))
    .sort((a, b) => b.count - a.count || String(a.type).localeCompare(String(b.type)));
  const checkerNames = Object.keys(results.checkers);
  const clientOps = ops.intervals.length;

  if (results.valid === true) {
    return {
      valid: true,
      counts: [],
      headline: `Valid: no anomalies in ${clientOps} operations (checked by ${checkerNames.join(", ") || "no checker"})`,
    };
  }
  if (results.valid === "unknown" || counts.length === 0) {
    const undecided = Object.entries(results.checkers).filter(([, c]) => c.valid !== true);
    const names = undecided.map(([name]) => name).join(", ") || "a checker";
    const reasons = undecided.map(([, c]) => c.reason).filter((r): r is string => !!r);
    return {
      valid: results.valid,
      counts,
      headline: `Unknown: no anomaly found, but ${names} could not decide${reasons.length ? ` (${reasons.join("; ")})` : ""}`,
    };
  }
  // Linearizability anomalies are usually one per key; stale reads etc. carry the story when present.
  const ordered = [...counts].sort((a, b) => {
    const rank = (t: AnomalyType) => (t === "nonlinearizable" && counts.length > 1 ? 1 : 0);
    return rank(a.type) - rank(b.type);
  });
  const [first, ...rest] = ordered;
  const firstAnomalies = byType.get(first.type) ?? [];
  const clause = first.type === "nonlinearizable";
  let sentence = `${leadFor(
    results,
    counts.map((c) => c.type),
    first.type,
  )}: `;
  sentence += clause
    ? nonlinearizableNoun(firstAnomalies, first.count, ops)
    : countNoun(first.type, first.count);
  const ctx = context(firstAnomalies, ops);
  // "14 stale reads served by eu-west during X"; a noun that is a clause takes commas.
  if (ctx.where) sentence += clause ? `, ${ctx.where}` : ` ${ctx.where}`;
  if (ctx.when) sentence += clause || !ctx.whenAll ? `, ${ctx.when}` : ` ${ctx.when}`;
  if (rest.length) {
    const shown = rest.slice(0, 3).map((c) => countNoun(c.type, c.count));
    if (rest.length > 3) shown.push(`${rest.length - 3} more kinds`);
    sentence += `; also ${shown.join(", ")}`;
  }
  return { valid: false, counts, headline: sentence };
}
