/**
 * The register workload on PostgreSQL: one row per key in `registers`. Each op goes to the node
 * its route names (reads to the local node, writes to the current primary, as the router says).
 */
import type { RegisterClient } from "../../../workloads/register.ts";
import { NodeConnections, type PgEndpoint, type PgRoute } from "./node-connections.ts";

export const REGISTER_SCHEMA =
  "CREATE TABLE IF NOT EXISTS registers (key bigint PRIMARY KEY, value bigint NOT NULL)";

export class PgRegisterClient implements RegisterClient {
  private readonly nodes: NodeConnections;

  constructor(endpointFor: (node: string) => PgEndpoint, route: PgRoute, timeoutMs: number) {
    this.nodes = new NodeConnections(endpointFor, route, timeoutMs);
  }

  async read(key: number): Promise<number | null> {
    const r = await this.nodes.forReads().query("SELECT value FROM registers WHERE key = $1", [key]);
    return r.rows.length === 0 ? null : Number(r.rows[0].value);
  }

  async write(key: number, value: number): Promise<void> {
    await this.nodes
      .forWrites()
      .query(
        "INSERT INTO registers (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        [key, value],
      );
  }

  async cas(key: number, from: number, to: number): Promise<boolean> {
    const r = await this.nodes
      .forWrites()
      .query("UPDATE registers SET value = $3 WHERE key = $1 AND value = $2", [key, from, to]);
    return r.rowCount === 1;
  }

  async close(): Promise<void> {
    this.nodes.close();
  }
}
