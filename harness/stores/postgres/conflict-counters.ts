/**
 * PostgreSQL's own count of logical replication conflicts (PG 18: `pg_stat_subscription_stats`,
 * one `confl_<type>` column per conflict type, counted by the subscriber's apply worker when
 * track_commit_timestamp lets it see that a row was last written elsewhere), turned into the
 * run's `signals.conflicts`: a total, by type, and by region pair (where the change came from ->
 * where it was applied).
 */
import type { MetricsWriter } from "../../metrics-writer.ts";
import { sleep } from "../../sleep.ts";
import type { RunningPostgresNode } from "./postgres-node.ts";

export interface SubscriptionConflicts {
  subscription: string;
  publisher: string;
  subscriber: string;
  /** `publisherRegion->subscriberRegion`. */
  pair: string;
  /** Conflict type (column name without `confl_`) -> count. */
  counts: Record<string, number>;
}

/** A discarded row version under last-writer-wins: which write lost to which. */
export interface LwwDiscard {
  node: string;
  table: string;
  key: number;
  lost: { value: number | null; at: string; by: string };
  keptBy: { value: number | null; at: string; by: string };
}

export interface ConflictSignal {
  total: number;
  byType: Record<string, number>;
  byRegionPair: Record<string, number>;
  /** Where the numbers come from, for the report. */
  source: string;
  /** false: this PostgreSQL keeps no conflict counters (before 18); the zeros mean nothing. */
  counted: boolean;
  bySubscription: SubscriptionConflicts[];
  /** Last-writer-wins only: every remote version thrown away (capped), and how many in all. */
  discarded?: { total: number; shown: LwwDiscard[] };
}

const SHOWN_DISCARDS = 200;

export async function readConflictCounters(
  subscriptions: { name: string; publisher: RunningPostgresNode; subscriber: RunningPostgresNode }[],
): Promise<SubscriptionConflicts[]> {
  const out: SubscriptionConflicts[] = [];
  for (const s of subscriptions) {
    const r = await s.subscriber.query<Record<string, unknown>>(
      "SELECT * FROM pg_stat_subscription_stats WHERE subname = $1",
      [s.name],
      10_000,
    );
    const row = r.rows[0] ?? {};
    const counts: Record<string, number> = {};
    for (const [col, v] of Object.entries(row)) {
      if (col.startsWith("confl_")) counts[col.slice("confl_".length)] = Number(v ?? 0);
    }
    out.push({
      subscription: s.name,
      publisher: s.publisher.name,
      subscriber: s.subscriber.name,
      pair: `${s.publisher.spec.region}->${s.subscriber.spec.region}`,
      counts,
    });
  }
  return out;
}

export function summarizeConflicts(subs: SubscriptionConflicts[], discards?: LwwDiscard[]): ConflictSignal {
  const byType: Record<string, number> = {};
  const byRegionPair: Record<string, number> = {};
  let total = 0;
  for (const s of subs) {
    for (const [type, n] of Object.entries(s.counts)) {
      byType[type] = (byType[type] ?? 0) + n;
      byRegionPair[s.pair] = (byRegionPair[s.pair] ?? 0) + n;
      total += n;
    }
  }
  const counted = subs.length === 0 || subs.some((s) => Object.keys(s.counts).length > 0);
  return {
    total,
    byType,
    byRegionPair,
    counted,
    source: counted
      ? "pg_stat_subscription_stats.confl_* on each subscriber"
      : "not counted: this PostgreSQL has no pg_stat_subscription_stats.confl_* counters (PostgreSQL 18 has them)",
    bySubscription: subs,
    ...(discards ? { discarded: { total: discards.length, shown: discards.slice(0, SHOWN_DISCARDS) } } : {}),
  };
}

/**
 * The counters over time: every `intervalMs`, each subscription's conflicts so far as a metric
 * `{kind: "conflicts", from, to, count}` (cumulative), so the report charts them by region pair
 * against the fault windows (when conflicts began, e.g. with a routing split). A node that cannot
 * be read (cut off, paused) skips a sample.
 */
export function startConflictProbe(
  subscriptions: { name: string; publisher: RunningPostgresNode; subscriber: RunningPostgresNode }[],
  metrics: MetricsWriter,
  intervalMs = 2_000,
): { stop(): Promise<void> } {
  const stopping = new AbortController();
  const loop = async () => {
    while (!stopping.signal.aborted) {
      await sleep(intervalMs, stopping.signal);
      if (stopping.signal.aborted) break;
      for (const s of subscriptions) {
        try {
          const [c] = await readConflictCounters([s]);
          const count = Object.values(c!.counts).reduce((a, b) => a + b, 0);
          metrics.record({
            kind: "conflicts",
            from: s.publisher.spec.region,
            to: s.subscriber.spec.region,
            count,
          });
        } catch {
          // skipped sample: the counters are cumulative, the next one catches up
        }
      }
    }
  };
  const running = loop();
  return {
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
