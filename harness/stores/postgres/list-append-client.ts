/**
 * The list-append workload on PostgreSQL: each key's list is a `bigint[]` row in one of a few
 * tables (the key picks the table), an append is an upsert that concatenates the value onto the
 * list (`val || v`, inserting the row when the key is new), a read selects the row ([] when there
 * is none). Each transaction runs as BEGIN ISOLATION LEVEL ...; micro-ops; COMMIT on the node's
 * connection the runner's routing picked.
 */
import type { IsolationLevel } from "../../../workloads/isolation.ts";
import type { ListAppendClient, ListAppendMop } from "../../../workloads/list-append.ts";
import type { PgConnection } from "./node-connections.ts";
import { inTransaction, ROLLBACK } from "./transaction.ts";

/** Keys are spread over this many tables, so transactions touch more than one relation. */
export const LIST_APPEND_TABLES = 3;

const tableOf = (key: number) => `list_append_${key % LIST_APPEND_TABLES}`;
const tables = Array.from({ length: LIST_APPEND_TABLES }, (_, i) => `list_append_${i}`);

export const LIST_APPEND_SCHEMA = tables
  .map((t) => `CREATE TABLE IF NOT EXISTS ${t} (key bigint PRIMARY KEY, val bigint[] NOT NULL)`)
  .join("; ");

/** The table whose arrival on a standby shows the schema has replicated (the last created). */
export const LIST_APPEND_LAST_TABLE = tables[tables.length - 1]!;

/** Every list on a node, for the divergence check. */
export const LIST_APPEND_STATE_QUERY = tables
  .map((t) => `SELECT key, val AS value FROM ${t}`)
  .join(" UNION ALL ");

export class PgListAppendClient implements ListAppendClient {
  constructor(private readonly conn: PgConnection) {}

  async txn(mops: ListAppendMop[], isolation: IsolationLevel): Promise<ListAppendMop[]> {
    const done = await inTransaction(this.conn, isolation, async () => {
      const out: ListAppendMop[] = [];
      for (const [f, key, v] of mops) {
        const table = tableOf(key);
        if (f === "append") {
          await this.conn.query(
            `INSERT INTO ${table} AS t (key, val) VALUES ($1, ARRAY[$2::bigint]) ` +
              `ON CONFLICT (key) DO UPDATE SET val = t.val || $2::bigint`,
            [key, v],
          );
          out.push(["append", key, v as number]);
        } else {
          const r = await this.conn.query(`SELECT val FROM ${table} WHERE key = $1`, [key]);
          // bigint[] arrives as strings
          const list = r.rows.length === 0 ? [] : (r.rows[0].val as string[]).map(Number);
          out.push(["r", key, list]);
        }
      }
      return out;
    });
    if (done === ROLLBACK) throw new Error("list-append transactions never roll back on their own");
    return done;
  }
}
