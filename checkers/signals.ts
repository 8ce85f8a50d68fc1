/**
 * The multi-region signals of a run, computed from its history and measured metrics: per-region
 * latency percentiles and error rates, replication lag by region pair, and failover time (from
 * the failover fault's start to the first acknowledged write on the promoted node).
 */
import { NEMESIS, type History, type Op } from "./history/op.ts";

export interface RegionSignal {
  ops: number;
  ok: number;
  fail: number;
  info: number;
  /** Share of completed ops that were not ok. */
  errorRate: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
}

// A type alias (not an interface) so it fits `Results.signals`' index signature.
export type Signals = {
  regions: Record<string, RegionSignal>;
  /** Keyed `from->to`, from lag probes in metrics.jsonl. */
  replicationLagMs?: Record<string, { samples: number; p50: number; p95: number; max: number }>;
  /** One entry per failover fault. */
  failover?: { to: string; startedAtMs: number; firstWriteAfterMs: number | null }[];
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (x: number) => Math.round(x * 100) / 100;

export function computeSignals(
  history: History,
  metrics: { kind?: unknown; [k: string]: unknown }[] = [],
): Signals {
  const invokes = new Map<unknown, Op>();
  const latencies = new Map<string, number[]>();
  const regions: Record<string, RegionSignal> = {};
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
      info: 0,
      errorRate: 0,
      latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 },
    });
    r.ops++;
    r[op.type as "ok" | "fail" | "info"]++;
    if (inv?.time !== undefined && op.time !== undefined) {
      const list = latencies.get(region) ?? [];
      list.push((op.time - inv.time) / 1e6);
      latencies.set(region, list);
    }
  }
  for (const [region, r] of Object.entries(regions)) {
    r.errorRate = r.ops ? round((r.fail + r.info) / r.ops) : 0;
    const sorted = (latencies.get(region) ?? []).sort((a, b) => a - b);
    r.latencyMs = {
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted[sorted.length - 1] ?? 0),
    };
  }
  const signals: Signals = { regions };

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
