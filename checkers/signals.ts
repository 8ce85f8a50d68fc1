/**
 * The multi-region signals of a run, computed from its history and measured metrics: per-region
 * latency percentiles and error rates, replication lag by region pair, and failover time (from
 * the failover fault's start to the first acknowledged write on the promoted node).
 */
import { NEMESIS, type History, type Op } from "./history/op.ts";
import { isNormalNoEffect } from "./no-effect.ts";
import { computeStaleness, isRegisterHistory, type RegionStaleness } from "./staleness.ts";

export interface RegionSignal {
  ops: number;
  ok: number;
  /** Definitely no effect, as an error (connection refused, conflict, ...). */
  fail: number;
  /** Definitely no effect as the op's normal answer (cas-mismatch): not an error. See no-effect.ts.
   *  Absent in results written before it was counted apart (those counted it under `fail`). */
  noEffect?: number;
  info: number;
  /** Share of completed ops that failed with an error or have an unknown outcome (noEffect excluded). */
  errorRate: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** The same per kind of operation (read, write, ...), so a read policy's cost shows apart. */
  byF?: Record<string, { ops: number; latencyMs: { p50: number; p95: number; p99: number; max: number } }>;
}

// A type alias (not an interface) so it fits `Results.signals`' index signature.
export type Signals = {
  regions: Record<string, RegionSignal>;
  /** Keyed `from->to`, from lag probes in metrics.jsonl. */
  replicationLagMs?: Record<string, { samples: number; p50: number; p95: number; max: number }>;
  /** One entry per failover fault. */
  failover?: { to: string; startedAtMs: number; firstWriteAfterMs: number | null }[];
  /** Acknowledged client operations other than reads: what a conflict rate is per. */
  writes?: number;
  /** Register histories: per region, how many ok reads returned a replaced value and how stale
   *  (ms since the replacing write was acknowledged; checkers/staleness.ts). */
  staleness?: Record<string, RegionStaleness>;
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (x: number) => Math.round(x * 100) / 100;

function latencySummary(xs: number[]): RegionSignal["latencyMs"] {
  const sorted = xs.sort((a, b) => a - b);
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? 0),
  };
}

export function computeSignals(
  history: History,
  metrics: { kind?: unknown; [k: string]: unknown }[] = [],
): Signals {
  const invokes = new Map<unknown, Op>();
  const latencies = new Map<string, number[]>();
  const byF = new Map<string, Map<string, number[]>>();
  const regions: Record<string, RegionSignal> = {};
  let writes = 0;
  for (const op of history) {
    if (op.process === NEMESIS || op.final) continue;
    if (op.type === "invoke") {
      invokes.set(op.process, op);
      continue;
    }
    const inv = invokes.get(op.process);
    invokes.delete(op.process);
    const region = String(op.region ?? inv?.region ?? "unknown");
    const r = (regions[region] ??= {
      ops: 0,
      ok: 0,
      fail: 0,
      noEffect: 0,
      info: 0,
      errorRate: 0,
      latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 },
    });
    r.ops++;
    if (isNormalNoEffect(op)) r.noEffect = (r.noEffect ?? 0) + 1;
    else r[op.type as "ok" | "fail" | "info"]++;
    if (op.type === "ok" && op.f !== "read") writes++;
    if (inv?.time !== undefined && op.time !== undefined) {
      const list = latencies.get(region) ?? [];
      list.push((op.time - inv.time) / 1e6);
      latencies.set(region, list);
      const fs = byF.get(region) ?? new Map<string, number[]>();
      byF.set(region, fs);
      const fl = fs.get(op.f) ?? [];
      fl.push((op.time - inv.time) / 1e6);
      fs.set(op.f, fl);
    }
  }
  for (const [region, r] of Object.entries(regions)) {
    r.errorRate = r.ops ? round((r.fail + r.info) / r.ops) : 0;
    r.latencyMs = latencySummary(latencies.get(region) ?? []);
    const fs = byF.get(region);
    if (fs && fs.size > 1) {
      r.byF = {};
      for (const [f, xs] of [...fs].sort(([a], [b]) => a.localeCompare(b)))
        r.byF[f] = { ops: xs.length, latencyMs: latencySummary(xs) };
    }
  }
  const signals: Signals = { regions, writes };
  if (isRegisterHistory(history)) {
    try {
      signals.staleness = computeStaleness(history).regions;
    } catch {
      // A malformed history (unpaired ops) has no staleness; the checkers say why.
    }
  }

  const lags = new Map<string, number[]>();
  for (const m of metrics) {
    if (m.kind !== "lag" || typeof m.ms !== "number") continue;
    const pair = `${m.from}->${m.to}`;
    lags.set(pair, [...(lags.get(pair) ?? []), m.ms]);
  }
  if (lags.size > 0) {
    signals.replicationLagMs = {};
    for (const [pair, xs] of lags) {
      const sorted = xs.sort((a, b) => a - b);
      signals.replicationLagMs[pair] = {
        samples: sorted.length,
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        max: sorted[sorted.length - 1],
      };
    }
  }

  const failovers = history.filter(
    (o) => o.process === NEMESIS && o.f === "failover" && o.phase === "start" && !o.error,
  );
  if (failovers.length > 0) {
    signals.failover = failovers.map((f) => {
      const to = String((f.spec as { to?: unknown } | undefined)?.to ?? "");
      // The op is recorded once the promotion is done; the fault began at its planned offset.
      const start = typeof f.plannedMs === "number" ? f.plannedMs * 1e6 : (f.time ?? 0);
      const first = history.find(
        (o) => o.type === "ok" && o.node === to && o.f !== "read" && o.time !== undefined && o.time >= start,
      );
      return {
        to,
        startedAtMs: round(start / 1e6),
        firstWriteAfterMs: first ? round((first.time! - start) / 1e6) : null,
      };
    });
  }
  return signals;
}
