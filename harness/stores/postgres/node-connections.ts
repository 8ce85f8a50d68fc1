/**
 * A client process's connections to PostgreSQL nodes: one per node, opened lazily, through the
 * client's proxied link to that node.
 * Errors are classified here, once for every workload: a failure PostgreSQL reports as certain
 * (rolled back, never sent) is a `DefiniteFailure`; a timeout is an `OpTimeout`; anything else
 * leaves the outcome unknown.
 */
import pg from "pg";
import { DefiniteFailure, OpTimeout } from "../../../workloads/outcome.ts";

export interface PgEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

// SQLSTATEs after which the statement certainly did not take effect.
const DEFINITE_SQLSTATES = new Set([
  "25006", // read_only_sql_transaction: a write reached a standby
  "40001", // serialization_failure: rolled back
  "40P01", // deadlock_detected: rolled back
  "57014", // query_canceled (statement_timeout): rolled back
  "28P01", // invalid_password
  "3D000", // invalid_catalog_name
]);

/** One lazily opened connection; any error discards it so the next op starts clean. Shared by
 *  every workload's PostgreSQL client (set-client.ts). */
export class PgConnection {
  private client: pg.Client | undefined;

  constructor(
    private readonly endpoint: PgEndpoint,
    private readonly timeoutMs: number,
  ) {}

  async query(text: string, values: unknown[]): Promise<pg.QueryResult> {
    if (!this.client) {
      const client = new pg.Client({
        ...this.endpoint,
        connectionTimeoutMillis: this.timeoutMs,
        query_timeout: this.timeoutMs,
        // The server gives up a little after the client, so a timed-out statement does not linger.
        statement_timeout: this.timeoutMs + 500,
        application_name: "faultline",
      });
      client.on("error", () => this.discard());
      try {
        await client.connect();
      } catch (err) {
        client.end().catch(() => {});
        // Nothing was sent: the op cannot have taken effect.
        throw new DefiniteFailure(
          `connect ${this.endpoint.host}:${this.endpoint.port}: ${(err as Error).message}`,
        );
      }
      this.client = client;
    }
    try {
      return await this.client.query(text, values);
    } catch (err) {
      this.discard();
      const e = err as Error & { code?: string };
      if (e.code && DEFINITE_SQLSTATES.has(e.code)) throw new DefiniteFailure(`${e.code}: ${e.message}`);
      if (/timeout/i.test(e.message)) throw new OpTimeout(e.message);
      throw err;
    }
  }

  discard(): void {
    const c = this.client;
    this.client = undefined;
    // end() waits for the server; a partitioned server never answers, so do not await it.
    c?.end().catch(() => {});
  }
}

/**
 * A client process's connections, one per node, opened on first use through the process's own
 * proxied address of that node: what `BoundClient.at(node)` is built on. The address is asked for
 * on every use and connections are kept per address, so a session moved to another region (its
 * links change) reaches each node through the new region's links, and back.
 */
export class NodeConnections {
  private readonly connections = new Map<string, PgConnection>();

  constructor(
    private readonly endpointFor: (node: string) => PgEndpoint,
    private readonly timeoutMs: number,
  ) {}

  on(node: string): PgConnection {
    const endpoint = this.endpointFor(node);
    const id = `${node}@${endpoint.host}:${endpoint.port}`;
    let c = this.connections.get(id);
    if (!c) {
      c = new PgConnection(endpoint, this.timeoutMs);
      this.connections.set(id, c);
    }
    return c;
  }

  close(): void {
    for (const c of this.connections.values()) c.discard();
  }
}
