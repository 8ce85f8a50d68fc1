/**
 * The set workload on PostgreSQL: one row per element in `set_elements`, no uniqueness constraint,
 * so a store that applied an add twice shows it (a duplicate) instead of hiding it. Each op runs on
 * the connection to the node the runner's routing picked.
 */
import type { SetClient } from "../../../workloads/set.ts";
import type { PgConnection } from "./node-connections.ts";

export const SET_SCHEMA = [
  "CREATE TABLE IF NOT EXISTS set_elements (key bigint NOT NULL, element bigint NOT NULL)",
  "CREATE INDEX IF NOT EXISTS set_elements_key ON set_elements (key)",
].join("; ");

/** Every set on a node, elements sorted, for the divergence check. */
export const SET_STATE_QUERY =
  "SELECT key, array_agg(element ORDER BY element) AS value FROM set_elements GROUP BY key";

export class PgSetClient implements SetClient {
  constructor(private readonly conn: PgConnection) {}

  async add(key: number, element: number): Promise<void> {
    await this.conn.query("INSERT INTO set_elements (key, element) VALUES ($1, $2)", [key, element]);
  }

  async read(key: number): Promise<number[]> {
    const r = await this.conn.query("SELECT element FROM set_elements WHERE key = $1 ORDER BY element", [
      key,
    ]);
    return r.rows.map((row) => Number(row.element));
  }

  async close(): Promise<void> {
    // The connection belongs to the process's NodeConnections, closed with it.
  }
}
