/**
 * How a PostgreSQL transaction's outcome is classified (transaction.ts), on a stand-in connection
 * that records statements: an error before COMMIT is a definite failure (nothing committed), an
 * error on COMMIT is left as PgConnection classified it, a body that declines rolls back.
 */
import { describe, expect, it } from "vitest";
import { inTransaction, ROLLBACK } from "../../../harness/stores/postgres/transaction.ts";
import type { PgConnection } from "../../../harness/stores/postgres/node-connections.ts";
import { DefiniteFailure } from "../../../workloads/outcome.ts";

function fakeConnection(failOn?: { statement: RegExp; error: Error }) {
  const statements: string[] = [];
  let discarded = 0;
  const conn = {
    query: async (text: string) => {
      statements.push(text);
      if (failOn && failOn.statement.test(text)) throw failOn.error;
      return { rows: [], rowCount: 0 };
    },
    discard: () => void discarded++,
  } as unknown as PgConnection;
  return { conn, statements, discarded: () => discarded };
}

describe("inTransaction", () => {
  it("runs the body between BEGIN ISOLATION LEVEL ... and COMMIT", async () => {
    for (const [level, sql] of [
      ["read committed", "READ COMMITTED"],
      ["repeatable read", "REPEATABLE READ"],
      ["serializable", "SERIALIZABLE"],
    ] as const) {
      const f = fakeConnection();
      const r = await inTransaction(f.conn, level, async () => {
        await f.conn.query("SELECT 1", []);
        return 42;
      });
      expect(r).toBe(42);
      expect(f.statements).toEqual([`BEGIN ISOLATION LEVEL ${sql}`, "SELECT 1", "COMMIT"]);
    }
  });

  it("an error before COMMIT is a definite failure, and the connection is discarded", async () => {
    const f = fakeConnection({ statement: /INSERT/, error: new Error("Connection terminated unexpectedly") });
    const p = inTransaction(f.conn, "serializable", async () => {
      await f.conn.query("INSERT INTO t VALUES (1)", []);
      return 1;
    });
    await expect(p).rejects.toBeInstanceOf(DefiniteFailure);
    await expect(p).rejects.toThrow(/before COMMIT: Connection terminated unexpectedly/);
    expect(f.statements).not.toContain("COMMIT");
    expect(f.discarded()).toBe(1);
  });

  it("an error on COMMIT keeps the connection's classification (unknown stays unknown)", async () => {
    const lost = new Error("Connection terminated unexpectedly");
    const f = fakeConnection({ statement: /COMMIT/, error: lost });
    await expect(inTransaction(f.conn, "serializable", async () => 1)).rejects.toBe(lost);
    const ser = new DefiniteFailure("40001: could not serialize access");
    const g = fakeConnection({ statement: /COMMIT/, error: ser });
    await expect(inTransaction(g.conn, "serializable", async () => 1)).rejects.toBe(ser);
  });

  it("a body that returns ROLLBACK is rolled back, never committed", async () => {
    const f = fakeConnection();
    expect(await inTransaction(f.conn, "read committed", async () => ROLLBACK)).toBe(ROLLBACK);
    expect(f.statements).toEqual(["BEGIN ISOLATION LEVEL READ COMMITTED", "ROLLBACK"]);
  });
});
