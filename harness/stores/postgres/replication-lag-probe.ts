/**
 * Replication lag by region pair, measured as time to visibility: a probe row is written on the
 * primary and the standby is polled until it shows it. One probe is outstanding at a time, so a
 * cut replication link shows up as one long sample when it heals, not as a pile of timeouts.
 */
import pg from "pg";
import type { MetricsWriter } from "../../metrics-writer.ts";
import { sleep } from "../../sleep.ts";
import type { PgConnectionInfo } from "./postgres-node.ts";

export const PROBE_SCHEMA =
  "CREATE TABLE IF NOT EXISTS faultline_probes (id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())";

export interface LagProbeTarget {
  primary: PgConnectionInfo;
  standby: PgConnectionInfo;
  from: string;
  to: string;
  /** Probe ids start above this (multi-writer: each writer its own range, so ids never collide). */
  idBase?: number;
}

export function startLagProbe(
  target: LagProbeTarget,
  metrics: MetricsWriter,
  opts: { intervalMs?: number; pollMs?: number } = {},
): { stop(): Promise<void> } {
  const intervalMs = opts.intervalMs ?? 1000;
  const pollMs = opts.pollMs ?? 20;
  let stopped = false;
  const connect = async (info: PgConnectionInfo) => {
    const c = new pg.Client({
      ...info,
      connectionTimeoutMillis: 2000,
      query_timeout: 2000,
      application_name: "faultline-probe",
    });
    c.on("error", () => {});
    await c.connect();
    return c;
  };

  const loop = async () => {
    let primary: pg.Client | undefined;
    let standby: pg.Client | undefined;
    let id = target.idBase ?? 0;
    while (!stopped) {
      try {
        primary ??= await connect(target.primary);
        standby ??= await connect(target.standby);
        id++;
        const written = performance.now();
        await primary.query("INSERT INTO faultline_probes (id) VALUES ($1)", [id]);
        while (!stopped) {
          const r = await standby.query("SELECT 1 FROM faultline_probes WHERE id = $1", [id]);
          if (r.rows.length > 0) {
            metrics.record({
              kind: "lag",
              from: target.from,
              to: target.to,
              ms: Math.round(performance.now() - written),
            });
            break;
          }
          await sleep(pollMs);
        }
        await sleep(intervalMs);
      } catch {
        // A node restarting or a query timing out: start over with fresh connections.
        primary?.end().catch(() => {});
        standby?.end().catch(() => {});
        primary = standby = undefined;
        await sleep(intervalMs);
      }
    }
    primary?.end().catch(() => {});
    standby?.end().catch(() => {});
  };
  const running = loop();
  return {
    async stop() {
      stopped = true;
      await running;
    },
  };
}
