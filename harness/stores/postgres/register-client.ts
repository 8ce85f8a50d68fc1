/**
 * The register workload on PostgreSQL: one row per key in `registers`, on whichever node the
 * runner's routing picked for the op (the connection it is handed).
 *
 * With a session token (read policy `pinned`), each op also returns a WAL position in the same
 * round trip: a write commits explicitly and then reads pg_current_wal_lsn() (a multi-statement
 * simple query, so the position is past the commit record), a read returns the position its node
 * had applied. Values are integers checked before they are inlined.
 */
import type { RegisterClient } from "../../../workloads/register.ts";
import type { PgConnection } from "./node-connections.ts";
import { APPLIED_LSN_SQL, type PgSessionToken } from "./session-token.ts";

export const REGISTER_SCHEMA =
  "CREATE TABLE IF NOT EXISTS registers (key bigint PRIMARY KEY, value bigint NOT NULL)";

/** Every register on a node, for the divergence check. */
export const REGISTER_STATE_QUERY = "SELECT key, value FROM registers";

/** An integer safe to put in SQL text. */
function int(x: number): string {
  if (!Number.isSafeInteger(x)) throw new Error(`register values and keys are integers, got ${x}`);
  return String(x);
}

export class PgRegisterClient implements RegisterClient {
  constructor(
    private readonly conn: PgConnection,
    /** The session's token and the node this client acts on, when the session keeps one. */
    private readonly session?: { token: PgSessionToken; node: string },
  ) {}

  async read(key: number): Promise<number | null> {
    if (this.session) {
      const r = await this.conn.query(
        `SELECT (SELECT value FROM registers WHERE key = $1) AS value, (${APPLIED_LSN_SQL})::text AS lsn`,
        [key],
      );
      this.session.token.advance(this.session.node, r.rows[0]?.lsn);
      const v = r.rows[0]?.value;
      return v === null || v === undefined ? null : Number(v);
    }
    const r = await this.conn.query("SELECT value FROM registers WHERE key = $1", [key]);
    // A row with a NULL value is a register nobody wrote yet (multi-writer layouts seed rows).
    return r.rows.length === 0 || r.rows[0].value === null ? null : Number(r.rows[0].value);
  }

  async write(key: number, value: number): Promise<void> {
    if (this.session) {
      await this.committed(
        `INSERT INTO registers (key, value) VALUES (${int(key)}, ${int(value)}) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      );
      return;
    }
    await this.conn.query(
      "INSERT INTO registers (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
      [key, value],
    );
  }

  async cas(key: number, from: number, to: number): Promise<boolean> {
    if (this.session) {
      const rowCount = await this.committed(
        `UPDATE registers SET value = ${int(to)} WHERE key = ${int(key)} AND value = ${int(from)}`,
      );
      return rowCount === 1;
    }
    const r = await this.conn.query("UPDATE registers SET value = $3 WHERE key = $1 AND value = $2", [
      key,
      from,
      to,
    ]);
    return r.rowCount === 1;
  }

  /** Runs `statement` in its own transaction, then records the WAL position past its commit in
   *  the session's token (one round trip). Returns the statement's row count. */
  private async committed(statement: string): Promise<number> {
    const results = (await this.conn.query(
      `BEGIN; ${statement}; COMMIT; SELECT pg_current_wal_lsn()::text AS lsn`,
      [],
    )) as unknown as { rowCount: number | null; rows: { lsn?: string }[] }[];
    this.session!.token.advance(this.session!.node, results[3]?.rows[0]?.lsn);
    return results[1]?.rowCount ?? 0;
  }

  async close(): Promise<void> {
    // The connection belongs to the process's NodeConnections, closed with it.
  }
}
