/**
 * The register workload on PostgreSQL: one row per key in `registers`, on whichever node the
 * runner's routing picked for the op (the connection it is handed).
 */
import type { RegisterClient } from "../../../workloads/register.ts";
import type { Connection } from "./node-connections.ts";

export const REGISTER_SCHEMA =
  "CREATE TABLE IF NOT EXISTS registers (key bigint PRIMARY KEY, value bigint NOT NULL)";

/** Every register on a node, for the divergence check. */
export const REGISTER_STATE_QUERY = "SELECT key, value FROM registers";

export class PgRegisterClient implements RegisterClient {
  constructor(private readonly conn: Connection) {}

  async read(key: number): Promise<number | null> {
    const r = await this.conn.query("SELECT value FROM registers WHERE key = $1", [key]);
    // A row with a NULL value is a register nobody wrote yet (multi-writer layouts seed rows).
    return r.rows.length === 0 || r.rows[0].value === null ? null : Number(r.rows[0].value);
  }

  async write(key: number, value: number): Promise<void> {
    await this.conn.query(
      "INSERT INTO registers (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
      [key, value],
    );
  }

  async cas(key: number, from: number, to: number): Promise<boolean> {
    const r = await this.conn.query("UPDATE registers SET value = $3 WHERE key = $1 AND value = $2", [
      key,
      from,
      to,
    ]);
    return r.rowCount === 1;
  }

  async close(): Promise<void> {
    // The connection belongs to the process's NodeConnections, closed with it.
  }
}
