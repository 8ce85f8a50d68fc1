/**
 * Read/write register transactions on PostgreSQL (the rw-register workload, and long-fork's
 * inserts and group reads, on their own table): one row per key, a write an upsert of the row, a
 * read a select of it (null when absent), all micro-ops of a transaction between BEGIN ISOLATION
 * LEVEL ... and COMMIT on the node's connection the routing picked.
 */
import type { IsolationLevel } from "../../../workloads/isolation.ts";
import type { RwMop, RwTxnClient } from "../../../workloads/rw-register.ts";
import type { PgConnection } from "./node-connections.ts";
import { inTransaction, ROLLBACK } from "./transaction.ts";

/** A register table's schema. */
export const rwTableSchema = (table: string) =>
  `CREATE TABLE IF NOT EXISTS ${table} (key bigint PRIMARY KEY, val bigint NOT NULL)`;

/** Every register of a table on a node, for the divergence check. */
export const rwTableStateQuery = (table: string) => `SELECT key, val AS value FROM ${table}`;

export const RW_REGISTER_TABLE = "rw_registers";

export class PgRwTxnClient implements RwTxnClient {
  constructor(
    private readonly conn: PgConnection,
    private readonly table: string,
  ) {}

  async txn(mops: RwMop[], isolation: IsolationLevel): Promise<RwMop[]> {
    const done = await inTransaction(this.conn, isolation, async () => {
      const out: RwMop[] = [];
      for (const [f, key, v] of mops) {
        if (f === "w") {
          await this.conn.query(
            `INSERT INTO ${this.table} AS t (key, val) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET val = EXCLUDED.val`,
            [key, v],
          );
          out.push(["w", key, v as number]);
        } else {
          const r = await this.conn.query(`SELECT val FROM ${this.table} WHERE key = $1`, [key]);
          out.push(["r", key, r.rows.length === 0 ? null : Number(r.rows[0].val)]);
        }
      }
      return out;
    });
    if (done === ROLLBACK) throw new Error("register transactions never roll back on their own");
    return done;
  }
}
