/**
 * Runs checkers over a history and combines their verdicts into `Results`.
 */
import type { CheckOptions } from "../../checkers/checker.ts";
import type { History } from "../../checkers/history/op.ts";
import { loadChecker } from "../../checkers/registry.ts";
import { type CheckerResult, combineResults, type Results } from "../../checkers/verdict.ts";

export interface CheckerSpec {
  name: string;
  options: CheckOptions;
  /** The name its result goes under (one checker run twice with different options); default `name`. */
  as?: string;
  /** The anomalies this checker finds are the scenario's known price, not a failure (e.g. stale
   *  local reads of remote keys under geo-partitioning): listed under `expectedCost`, not counted
   *  in the verdict. The sentence says why. */
  expectedCost?: string;
}

/** A result whose anomalies are the expected cost: kept aside, the checker itself passes. */
export function asExpectedCost(r: CheckerResult, reason: string): CheckerResult {
  return {
    ...r,
    valid: true,
    anomalyTypes: [],
    anomalies: [],
    expectedCost: { reason, valid: r.valid, anomalyTypes: r.anomalyTypes, anomalies: r.anomalies ?? [] },
  };
}

export async function runCheckers(
  history: History,
  specs: CheckerSpec[],
  signals: Record<string, unknown> = {},
): Promise<Results> {
  const checkers: Record<string, CheckerResult> = {};
  for (const spec of specs) {
    const checker = await loadChecker(spec.name);
    const started = performance.now();
    try {
      const result = await checker.check(history, spec.options, { signals });
      const timed = {
        ...result,
        stats: { ...result.stats, checkMs: Math.round(performance.now() - started) },
      };
      checkers[spec.as ?? spec.name] = spec.expectedCost ? asExpectedCost(timed, spec.expectedCost) : timed;
    } catch (err) {
      // A checker that breaks gives no verdict, never a false "valid".
      checkers[spec.as ?? spec.name] = {
        valid: "unknown",
        anomalyTypes: [],
        anomalies: [],
        reason: `checker ${spec.name} failed: ${(err as Error).message}`,
      };
    }
  }
  return combineResults(checkers, signals);
}
