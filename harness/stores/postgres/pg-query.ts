/**
 * One statement on a fresh connection: how the harness (not the clients) talks to a node for
 * setup, quiesce and final state, whoever started the node.
 */
import pg from "pg";
import type { PgConnectionInfo } from "./postgres-node.ts";

export async function pgQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  connection: PgConnectionInfo,
  sql: string,
  params: unknown[] = [],
  timeoutMs = 30_000,
): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({
    ...connection,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on("error", () => {}); // a server killed under us: the query's own rejection reports it
  await client.connect();
  try {
    return await client.query<R>(sql, params);
  } finally {
    await client.end().catch(() => {});
  }
}
