/**
 * The bank workload on PostgreSQL: one row per account in `bank_accounts`, opened with the
 * workload's balances by the schema. A transfer reads the source's balance, refuses (rolls back)
 * when it is short, and updates both rows, in one transaction at the workload's isolation level;
 * a read selects every balance in one statement, or (`splitReads`) one statement per account,
 * which at READ COMMITTED lets a transfer commit between two of them: a wrong total.
 */
import { BANK_ACCOUNTS, BANK_OPENING_BALANCE } from "../../../workloads/bank.ts";
import type { BankClient, BankReadOptions, Transfer } from "../../../workloads/bank.ts";
import type { IsolationLevel } from "../../../workloads/isolation.ts";
import type { PgConnection } from "./node-connections.ts";
import { inTransaction, ROLLBACK } from "./transaction.ts";

export const BANK_SCHEMA = [
  "CREATE TABLE IF NOT EXISTS bank_accounts (id bigint PRIMARY KEY, balance bigint NOT NULL)",
  `INSERT INTO bank_accounts (id, balance) SELECT g, ${BANK_OPENING_BALANCE} FROM generate_series(0, ${BANK_ACCOUNTS - 1}) g ON CONFLICT (id) DO NOTHING`,
].join("; ");

/** Every balance on a node, for the divergence check. */
export const BANK_STATE_QUERY = "SELECT id AS key, balance AS value FROM bank_accounts";

export class PgBankClient implements BankClient {
  constructor(private readonly conn: PgConnection) {}

  async transfer(t: Transfer, isolation: IsolationLevel): Promise<boolean> {
    const done = await inTransaction(this.conn, isolation, async () => {
      const r = await this.conn.query("SELECT balance FROM bank_accounts WHERE id = $1", [t.from]);
      if (r.rows.length === 0 || Number(r.rows[0].balance) < t.amount) return ROLLBACK;
      await this.conn.query("UPDATE bank_accounts SET balance = balance - $2 WHERE id = $1", [
        t.from,
        t.amount,
      ]);
      await this.conn.query("UPDATE bank_accounts SET balance = balance + $2 WHERE id = $1", [
        t.to,
        t.amount,
      ]);
      return true;
    });
    return done !== ROLLBACK;
  }

  async read(o: BankReadOptions): Promise<Record<number, number>> {
    const done = await inTransaction(this.conn, o.isolation, async () => {
      const balances: Record<number, number> = {};
      if (o.splitReads) {
        for (let id = 0; id < BANK_ACCOUNTS; id++) {
          const r = await this.conn.query("SELECT balance FROM bank_accounts WHERE id = $1", [id]);
          if (r.rows.length > 0) balances[id] = Number(r.rows[0].balance);
        }
      } else {
        const r = await this.conn.query("SELECT id, balance FROM bank_accounts ORDER BY id", []);
        for (const row of r.rows) balances[Number(row.id)] = Number(row.balance);
      }
      return balances;
    });
    if (done === ROLLBACK) throw new Error("bank reads never roll back");
    return done;
  }
}
