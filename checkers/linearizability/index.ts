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
import { type Partition, partitionHistory } from "./partition.ts";
import { searchPartition } from "./search.ts";

export type { LinOp, LinStep, NonlinearizableAnomaly } from "./explanation.ts";

export const DEFAULT_MODEL = "cas-register";
/** Used when no `timeLimitMs` is given: long enough for big histories, short of a hang. */
export const DEFAULT_TIME_LIMIT_MS = 120_000;
/** Search memory (memo tables) per key; the history itself is not counted. */
export const DEFAULT_MEMORY_LIMIT_BYTES = 512 * 1024 * 1024;
/** The least time a key gets in the first pass over keys. */
const MIN_KEY_SHARE_MS = 50;

export interface LinearizableOptions extends CheckOptions {
  /** Used in errors about malformed histories (`history.jsonl:17: ...`). */
  fileName?: string;
  /** Check every key even after one fails (one anomaly per failing key); default: stop at the first. */
  allKeys?: boolean;
}

/** What an ok read of null means when the caller does not say: the strict meaning. */
export const DEFAULT_NIL_READS = "value";

export function checkLinearizable(history: History, opts: LinearizableOptions = {}): CheckerResult {
  const t0 = performance.now();
  const model = getModel(opts.model ?? DEFAULT_MODEL);
  const timeLimitMs = opts.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  const limits = {
    deadline: t0 + timeLimitMs,
    memoryLimitBytes: opts.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES,
  };
  const nilReads = opts.nilReads ?? DEFAULT_NIL_READS;
  const { partitions, timeUnit, failed } = partitionHistory(history, model, {
    fileName: opts.fileName,
    nilReads,
  });

  const anomalies: NonlinearizableAnomaly[] = [];
  const unknown: string[] = [];
  const ops = partitions.reduce((n, p) => n + p.records.length, 0);
  let steps = 0;
  let configurations = 0;
  let droppedInfo = 0;
  let peakMemoBytes = 0;
  const done = new Set<Partition>();
  const timedOut: Partition[] = [];
  const outOfMemory: string[] = [];
  let stop = false;
  const check = (part: Partition, deadline: number): "done" | "time" => {
    const initial = model.init(opts.initial, part.key);
    const res = searchPartition(
      model,
      initial,
      part.records.map((r) => ({ input: r.input, ok: r.outcome === "ok", start: r.start, end: r.end })),
      { ...limits, deadline },
    );
    steps += res.stats.steps;
    configurations += res.stats.configurations;
    peakMemoBytes = Math.max(peakMemoBytes, res.stats.memoBytes);
    if (res.valid === "unknown" && res.reason === "time limit") return "time";
    done.add(part);
    droppedInfo += res.stats.droppedInfo;
    if (res.valid === false) {
      anomalies.push(explainFailure(model, part, res, timeUnit));
      if (!opts.allKeys) stop = true;
    } else if (res.valid === "unknown") {
      outOfMemory.push(
        `memory limit reached on ${part.label} (${part.records.length} ops, ${res.stats.configurations} configurations explored)`,
      );
    }
    return "done";
  };
  // First pass: each key gets an equal share of the time left, so a hard key cannot hide an
  // invalid one after it. Keys cut short are retried after, with all the time that is left.
  for (let i = 0; i < partitions.length && !stop; i++) {
    const now = performance.now();
    if (now > limits.deadline) break;
    const share = Math.max((limits.deadline - now) / (partitions.length - i), MIN_KEY_SHARE_MS);
    if (check(partitions[i], Math.min(limits.deadline, now + share)) === "time") timedOut.push(partitions[i]);
  }
  // Second pass: the hard keys, with all the time that is left.
  for (const part of timedOut) {
    if (stop || performance.now() > limits.deadline) break;
    check(part, limits.deadline);
  }
  const notDone = partitions.filter((p) => !done.has(p));
  if (anomalies.length === 0) {
    for (const r of outOfMemory) unknown.push(r);
    if (notDone.length > 0) {
      const first = notDone[0];
      unknown.push(
        `time limit of ${timeLimitMs / 1000}s reached` +
          (partitions.length === 1
            ? ` on ${first.label} (${first.records.length} ops)`
            : `: ${notDone.length} of ${partitions.length} keys not decided (first: ${first.label}, ${first.records.length} ops)`),
      );
    }
  }
  const checked = done.size;
  const stats = {
    model: model.name,
    // Which meaning a null read had (only register, cas-register and multi-register have a case).
    nilReads,
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
    return { valid: "unknown", anomalyTypes: [], anomalies: [], reason: unknown.join("; "), stats };
  }
  return { valid: true, anomalyTypes: [], anomalies: [], stats };
}

export const linearizableChecker: Checker = {
  name: "linearizable",
  description: "Linearizability against a sequential model (--model, --initial); P-compositional by key",
  check: (history, options) => checkLinearizable(history, options),
};
