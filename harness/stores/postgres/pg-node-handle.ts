/**
 * What the PostgreSQL layouts need of a node, whoever runs it: a node this run started
 * (RunningPostgresNode, local backend) or one a user runs (ExternalPgNode).
 */
import type pg from "pg";
import type { NodeControl } from "../../nemesis/fault.ts";
import type { NodeSpec } from "../../topology.ts";
import type { PgConnectionInfo } from "./postgres-node.ts";

export interface PgNodeHandle extends NodeControl {
  readonly name: string;
  readonly spec: NodeSpec;
  readonly role: "primary" | "standby";
  readonly host: string;
  readonly port: number;
  /** Direct connection info (no proxy). */
  readonly connection: PgConnectionInfo;
  /** The same credentials at another address (a proxy in front of the node). */
  connectionVia(host: string, port: number): PgConnectionInfo;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
    timeoutMs?: number,
  ): Promise<pg.QueryResult<R>>;
}
