/**
 * The set workload on PostgreSQL: one row per element in `set_elements`, no uniqueness constraint,
 * so a store that applied an add twice shows it (a duplicate) instead of hiding it. Adds go to the
 * node the route names for writes, reads to the node it names for reads, through the client's
 * proxied link to that node.
 */
import type { SetClient } from "../../../workloads/set.ts";
import { Connection, type PgEndpoint, type PgRoute } from "./register-client.ts";

export const SET_SCHEMA = [
  "CREATE TABLE IF NOT EXISTS set_elements (key bigint NOT NULL, element bigint NOT NULL)",
  "CREATE INDEX IF NOT EXISTS set_elements_key ON set_elements (key)",
].join("; ");

/** Every set on a node, elements sorted, for the divergence check. */
export const SET_STATE_QUERY =
  "SELECT key, array_agg(element ORDER BY element) AS value FROM set_elements GROUP BY key";

export class PgSetClient implements SetClient {
  private readonly connections = new Map<string, Connection>();

  constructor(
    private readonly endpointFor: (node: string) => PgEndpoint,
    private readonly route: PgRoute,
    private readonly timeoutMs: number,
  ) {}

  private on(node: string): Connection {
    let c = this.connections.get(node);
    if (!c) {
      c = new Connection(this.endpointFor(node), this.timeoutMs);
      this.connections.set(node, c);
    }
    return c;
  }

  async add(key: number, element: number): Promise<void> {
    await this.on(this.route.write()).query("INSERT INTO set_elements (key, element) VALUES ($1, $2)", [
      key,
      element,
    ]);
  }

  async read(key: number): Promise<number[]> {
    const r = await this.on(this.route.read()).query(
      "SELECT element FROM set_elements WHERE key = $1 ORDER BY element",
      [key],
    );
    return r.rows.map((row) => Number(row.element));
  }

  async close(): Promise<void> {
    for (const c of this.connections.values()) c.discard();
  }
}
