/**
 * Service-level objectives a user sets for a run (`--slo-p99 500`): each threshold the measured
 * signals exceed is an `slo-violation`, so a run that stayed correct but too slow still fails CI.
 */
import type { Signals } from "./signals.ts";
import type { Anomaly, CheckerResult } from "./verdict.ts";

export interface SloThresholds {
  /** Per-region p99 operation latency, ms. */
  p99LatencyMs?: number;
  /** Per-region share of ops that did not complete ok (0..1). */
  maxErrorRate?: number;
  /** Largest replication lag probe, per region pair, ms. */
  maxReplicationLagMs?: number;
  /** Time from a failover's start to the first acknowledged write on the promoted node, ms. */
  maxFailoverMs?: number;
  /** Replication conflicts the store counted (signals.conflicts.total) per acknowledged write (0..1). */
  maxConflictRate?: number;
  /** Largest staleness of a read (ms since a replacing write was acknowledged), per region. */
  maxStalenessMs?: number;
}

export function checkSlo(signals: Signals, slo: SloThresholds): CheckerResult {
  const anomalies: Anomaly[] = [];
  const violation = (explanation: string, detail: Record<string, unknown>) =>
    anomalies.push({ type: "slo-violation", explanation, ...detail });
  for (const [region, r] of Object.entries(signals.regions)) {
    if (slo.p99LatencyMs !== undefined && r.latencyMs.p99 > slo.p99LatencyMs) {
      violation(`${region}: p99 latency ${r.latencyMs.p99} ms exceeds the SLO of ${slo.p99LatencyMs} ms`, {
        region,
        signal: "p99LatencyMs",
        measured: r.latencyMs.p99,
        threshold: slo.p99LatencyMs,
      });
    }
    if (slo.maxErrorRate !== undefined && r.errorRate > slo.maxErrorRate) {
      violation(`${region}: error rate ${r.errorRate} exceeds the SLO of ${slo.maxErrorRate}`, {
        region,
        signal: "errorRate",
        measured: r.errorRate,
        threshold: slo.maxErrorRate,
      });
    }
  }
  for (const [pair, lag] of Object.entries(signals.replicationLagMs ?? {})) {
    if (slo.maxReplicationLagMs !== undefined && lag.max > slo.maxReplicationLagMs) {
      violation(
        `${pair}: replication lag reached ${lag.max} ms, over the SLO of ${slo.maxReplicationLagMs} ms`,
        {
          pair,
          signal: "replicationLagMs",
          measured: lag.max,
          threshold: slo.maxReplicationLagMs,
        },
      );
    }
  }
  for (const [region, st] of Object.entries(signals.staleness ?? {})) {
    if (slo.maxStalenessMs === undefined || st.stale === 0 || st.staleMs.max <= slo.maxStalenessMs) continue;
    violation(
      `${region}: ${st.stale} of ${st.reads} reads were stale, up to ${st.staleMs.max} ms, over the SLO of ${slo.maxStalenessMs} ms`,
      { region, signal: "stalenessMs", measured: st.staleMs.max, threshold: slo.maxStalenessMs },
    );
  }
  const conflicts = (signals as { conflicts?: { total?: unknown } }).conflicts;
  if (slo.maxConflictRate !== undefined && typeof conflicts?.total === "number") {
    const writes = signals.writes ?? 0;
    // No writes and some conflicts: an infinite rate, over any threshold.
    const rate =
      writes > 0
        ? Math.round((conflicts.total / writes) * 10_000) / 10_000
        : conflicts.total > 0
          ? Infinity
          : 0;
    if (rate > slo.maxConflictRate) {
      violation(
        `conflict rate ${rate} (${conflicts.total} conflicts over ${writes} acknowledged writes) exceeds the SLO of ${slo.maxConflictRate}`,
        { signal: "conflictRate", measured: rate, threshold: slo.maxConflictRate },
      );
    }
  }
  for (const f of signals.failover ?? []) {
    if (slo.maxFailoverMs === undefined) continue;
    if (f.firstWriteAfterMs === null || f.firstWriteAfterMs > slo.maxFailoverMs) {
      const took = f.firstWriteAfterMs === null ? "never took a write" : `took ${f.firstWriteAfterMs} ms`;
      violation(`failover to ${f.to} ${took}, over the SLO of ${slo.maxFailoverMs} ms`, {
        node: f.to,
        signal: "failoverMs",
        measured: f.firstWriteAfterMs,
        threshold: slo.maxFailoverMs,
      });
    }
  }
  return {
    valid: anomalies.length === 0,
    anomalyTypes: anomalies.length ? ["slo-violation"] : [],
    anomalies,
    stats: { objectives: Object.values(slo).filter((v) => v !== undefined).length },
  };
}
