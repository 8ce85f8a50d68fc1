/**
 * The linearizability checker: is there a total order of the history's operations, consistent
 * with real time, that a sequential model (`--model`) accepts? Jepsen's semantics: `ok` ops
 * took effect within their interval, `fail` ops did not, `info` ops may have taken effect at
 * any time after their invoke (or never). Checked key by key (P-compositionality), stopping at
 * the first key that is not linearizable; past the time or memory budget the verdict is
 * "unknown" with the reason, never a hang.
 */
import type { Checker, CheckOptions } from "../checker.ts";
import type { History } from "../history/op.ts";
import { getModel } from "../models/index.ts";
import type { CheckerResult } from "../verdict.ts";
import { explainFailure } from "./explain.ts";
import type { NonlinearizableAnomaly } from "./explanation.ts";
import { partitionHistory } from "./partition.ts";
import { searchPartition } from "./search.ts";

export type { LinOp, LinStep, NonlinearizableAnomaly } from "./explanation.ts";

export const DEFAULT_MODEL = "cas-register";
/** Used when no `timeLimitMs` is given: long enough for big histories, short of a hang. */
export const DEFAULT_TIME_LIMIT_MS = 120_000;
/** Search memory (memo tables) per key; the history itself is not counted. */
export const DEFAULT_MEMORY_LIMIT_BYTES = 512 * 1024 * 1024;

export interface LinearizableOptions extends CheckOptions {
  /** Used in errors about malformed histories (`history.jsonl:17: ...`). */
  fileName?: string;
  /** Check every key even after one fails (one anomaly per failing key); default: stop at the first. */
  allKeys?: boolean;
}

export function checkLinearizable(history: History, opts: LinearizableOptions = {}): CheckerResult {
  const t0 = performance.now();
  const model = getModel(opts.model ?? DEFAULT_MODEL);
  const timeLimitMs = opts.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  const limits = {
    deadline: t0 + timeLimitMs,
    memoryLimitBytes: opts.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES,
  };
  const { partitions, timeUnit, failed } = partitionHistory(history, model, { fileName: opts.fileName });

  const anomalies: NonlinearizableAnomaly[] = [];
  const unknown: string[] = [];
  let checked = 0;
  let ops = 0;
  let steps = 0;
  let configurations = 0;
  let droppedInfo = 0;
  let peakMemoBytes = 0;
  for (const part of partitions) {
    const initial = model.init(opts.initial, part.key);
    const res = searchPartition(
      model,
      initial,
      part.records.map((r) => ({ input: r.input, ok: r.outcome === "ok", start: r.start, end: r.end })),
      limits,
    );
    checked++;
    ops += part.records.length;
    steps += res.stats.steps;
    configurations += res.stats.configurations;
    droppedInfo += res.stats.droppedInfo;
    peakMemoBytes = Math.max(peakMemoBytes, res.stats.memoBytes);
    if (res.valid === false) {
      anomalies.push(explainFailure(model, part, res, timeUnit));
      if (!opts.allKeys) break;
    } else if (res.valid === "unknown") {
      const budget = res.reason === "time limit" ? `time limit of ${timeLimitMs / 1000}s` : "memory limit";
      unknown.push(
        `${budget} reached on ${part.label} (${part.records.length} ops, ${res.stats.configurations} configurations explored)`,
      );
      // Past the deadline every later key would be unknown too.
      if (res.reason === "time limit") break;
    }
  }
  const stats = {
    model: model.name,
    partitions: partitions.length,
    partitionsChecked: checked,
    ops,
    failedOpsDropped: failed,
    infoOpsDropped: droppedInfo,
    steps,
    configurations,
    peakMemoBytes,
    ms: Math.round(performance.now() - t0),
  };
  if (anomalies.length > 0) {
    return { valid: false, anomalyTypes: ["nonlinearizable"], anomalies, stats };
  }
  if (unknown.length > 0) {
    const skipped = partitions.length - checked;
    const reason = `${unknown.join("; ")}${skipped > 0 ? `; ${skipped} of ${partitions.length} keys not checked` : ""}`;
    return { valid: "unknown", anomalyTypes: [], anomalies: [], reason, stats };
  }
  return { valid: true, anomalyTypes: [], anomalies: [], stats };
}

export const linearizableChecker: Checker = {
  name: "linearizable",
  description: "Linearizability against a sequential model (--model, --initial); P-compositional by key",
  check: (history, options) => checkLinearizable(history, options),
};
