/**
 * One transaction on a node's connection at an isolation level, with its outcome classified: an
 * error before COMMIT was sent means the transaction cannot have committed (the connection is
 * discarded, so PostgreSQL rolls it back), a definite `fail`; an error on COMMIT itself is
 * classified by `PgConnection` (serialization failures and deadlocks are definite, a lost
 * connection leaves the outcome unknown).
 */
import { DefiniteFailure } from "../../../workloads/outcome.ts";
import type { IsolationLevel } from "../../../workloads/isolation.ts";
import type { PgConnection } from "./node-connections.ts";

const BEGIN: Record<IsolationLevel, string> = {
  "read committed": "BEGIN ISOLATION LEVEL READ COMMITTED",
  "repeatable read": "BEGIN ISOLATION LEVEL REPEATABLE READ",
  serializable: "BEGIN ISOLATION LEVEL SERIALIZABLE",
};

/** What a body returns to roll back instead of committing (a bank transfer without the funds). */
export const ROLLBACK: unique symbol = Symbol("rollback");

/**
 * Runs `body` between BEGIN ISOLATION LEVEL ... and COMMIT and returns what it returned; a body
 * that returns `ROLLBACK` is rolled back instead (and `ROLLBACK` is returned).
 */
export async function inTransaction<T>(
  conn: PgConnection,
  isolation: IsolationLevel,
  body: () => Promise<T | typeof ROLLBACK>,
): Promise<T | typeof ROLLBACK> {
  const begin = BEGIN[isolation];
  if (!begin) throw new DefiniteFailure(`unknown isolation level '${String(isolation)}'`);
  let result: T | typeof ROLLBACK;
  try {
    await conn.query(begin, []);
    result = await body();
    if (result === ROLLBACK) {
      await conn.query("ROLLBACK", []);
      return ROLLBACK;
    }
  } catch (err) {
    // A connection with a transaction left open must not serve the next op (query errors already
    // discarded it; an error in the body itself had not).
    conn.discard();
    if (err instanceof DefiniteFailure) throw err;
    // Nothing was committed: COMMIT was never sent, and the failed connection was discarded.
    throw new DefiniteFailure(`before COMMIT: ${(err as Error).message}`);
  }
  await conn.query("COMMIT", []);
  return result;
}
