/**
 * What a checker returns, and how verdicts combine. Shared by every checker, the report and CI
 * output (see DESIGN.md, "Results, exit codes, run folder").
 */
import type { Op } from "./history/op.ts";

export type Validity = true | false | "unknown";

/** Anomaly type names, one vocabulary for every checker. */
export type AnomalyType =
  | "nonlinearizable"
  | "lost-write"
  | "stale-read"
  | "unexpected"
  | "duplicate"
  | "never-read"
  | "divergence"
  | "wrong-total"
  | "negative-value"
  | "counter-out-of-range"
  // Jepsen's bank checker's other words, and its long-fork test's
  | "nil-balance"
  | "unexpected-key"
  | "long-fork"
  | "slo-violation"
  | "read-your-writes"
  | "monotonic-reads"
  | "monotonic-writes"
  | "writes-follow-reads"
  // Elle's names (G0, G1c-process, G-single-realtime, internal, ...)
  | (string & {});

export interface Anomaly {
  type: AnomalyType;
  /** One or two sentences a person can read. */
  explanation: string;
  /** The operations that show it, smallest slice first. */
  ops?: Op[];
  /** Key the anomaly is on, for keyed histories. */
  key?: unknown;
  /** Checker-specific detail (cycle edges, partial linearization, ...) for the report. */
  [detail: string]: unknown;
}

export interface CheckerResult {
  valid: Validity;
  anomalyTypes: AnomalyType[];
  anomalies: Anomaly[];
  /** Why the verdict is unknown, when it is. */
  reason?: string;
  /** Counters and timings: ops checked, states explored, ms spent. */
  stats?: Record<string, number | string>;
  [detail: string]: unknown;
}

export interface Results {
  valid: Validity;
  anomalyTypes: AnomalyType[];
  checkers: Record<string, CheckerResult>;
  signals: Record<string, unknown>;
  /** Set by `faultline run`: whether the verdict is what the scenario expects, in words. */
  expectation?: { matches: boolean; text: string };
}

/** false beats unknown beats true: one invalid checker makes the run invalid. */
export function combineValidity(vs: Validity[]): Validity {
  if (vs.some((v) => v === false)) return false;
  if (vs.some((v) => v === "unknown")) return "unknown";
  return true;
}

export function combineResults(
  checkers: Record<string, CheckerResult>,
  signals: Record<string, unknown> = {},
): Results {
  const all = Object.values(checkers);
  const types = [...new Set(all.flatMap((c) => c.anomalyTypes))].sort();
  return { valid: combineValidity(all.map((c) => c.valid)), anomalyTypes: types, checkers, signals };
}

/** Exit codes of DESIGN.md: 0 valid, 1 anomalies, 2 unknown, 3 could not run. */
export const EXIT = { valid: 0, invalid: 1, unknown: 2, error: 3 } as const;

export function exitCodeFor(v: Validity): number {
  return v === true ? EXIT.valid : v === false ? EXIT.invalid : EXIT.unknown;
}

/**
 * How many anomalies of each type a checker found. Checkers may explain only the first few of a
 * type and count the rest in `stats["count:<type>"]` (Elle, session), so the listed anomalies
 * alone undercount; a type named without any detail still counts once. Every place that shows a
 * number (terminal, report, summary, JUnit) uses this, so they agree.
 */
export function anomalyCounts(
  c: Pick<CheckerResult, "anomalies" | "anomalyTypes" | "stats">,
): Map<AnomalyType, number> {
  const listed = new Map<AnomalyType, number>();
  for (const a of c.anomalies ?? []) listed.set(a.type, (listed.get(a.type) ?? 0) + 1);
  const out = new Map<AnomalyType, number>();
  for (const t of new Set([...(c.anomalyTypes ?? []), ...listed.keys()])) {
    const counted = c.stats?.[`count:${t}`];
    out.set(t, Math.max(listed.get(t) ?? 0, typeof counted === "number" ? counted : 0, 1));
  }
  return out;
}

/** The total of `anomalyCounts`: what "N anomalies" means for one checker. */
export function anomalyTotal(c: Pick<CheckerResult, "anomalies" | "anomalyTypes" | "stats">): number {
  let n = 0;
  for (const v of anomalyCounts(c).values()) n += v;
  return n;
}
