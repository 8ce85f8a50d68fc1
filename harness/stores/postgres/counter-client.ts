/**
 * The counter workload on PostgreSQL: one row per counter in `counters`, incremented in place
 * (`value = value + delta`), on whichever node the routing picked. On a multi-writer layout this
 * is the shared row both regions increment; the CRDT layout uses its own per-node rows instead
 * (multi-writer-tables.ts).
 */
import type { CounterClient } from "../../../workloads/counter.ts";
import type { PgConnection } from "./node-connections.ts";

export const COUNTER_SCHEMA =
  "CREATE TABLE IF NOT EXISTS counters (key bigint PRIMARY KEY, value bigint NOT NULL DEFAULT 0)";

/** Every counter on a node, for the divergence check. */
export const COUNTER_STATE_QUERY = "SELECT key, value FROM counters";

export class PgCounterClient implements CounterClient {
  constructor(private readonly conn: PgConnection) {}

  async add(key: number, delta: number): Promise<void> {
    // An existing row is updated in place (what replicates is an UPDATE of the row).
    await this.conn.query(
      "INSERT INTO counters (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = counters.value + EXCLUDED.value",
      [key, delta],
    );
  }

  async read(key: number): Promise<number> {
    const r = await this.conn.query("SELECT value FROM counters WHERE key = $1", [key]);
    return r.rows.length === 0 ? 0 : Number(r.rows[0].value);
  }

  async close(): Promise<void> {
    // The connection belongs to the process's NodeConnections, closed with it.
  }
}
