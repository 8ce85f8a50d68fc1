/**
 * A PostgreSQL session's causality token (read policy `pinned`): the largest WAL position the
 * session has seen, and the node it saw it on. A write records the position its commit reached
 * (pg_current_wal_lsn() right after COMMIT, in the same round trip); a read records the position
 * the serving node had applied (pg_last_wal_replay_lsn() on a standby, pg_current_wal_lsn() on the
 * primary), so the token covers the last write (read-your-writes) and the last read (monotonic reads).
 * Before a read, the preferred (local) node is asked whether it has applied that position; if not,
 * the read goes to the node that holds it.
 *
 * WAL positions compare only within one WAL stream: this is for primary + streaming standbys (the
 * driver refuses it on multi-writer layouts, where every node writes its own WAL).
 */
import type { SessionToken } from "../store-driver.ts";
import type { PgConnection } from "./node-connections.ts";

/** SQL for "the WAL position this node has applied", on a primary or a standby. */
export const APPLIED_LSN_SQL =
  "CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END";

/** A pg_lsn text ("16/B374D848") as a number that orders like the LSN. */
export function lsnValue(lsn: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn);
  if (!m) throw new Error(`not a pg_lsn: '${lsn}'`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

export class PgSessionToken implements SessionToken {
  private lsn: string | undefined;
  private value = -1n;
  private holder: string | undefined;

  /** `on(node)` is the session's own (proxied) connection to a node. */
  constructor(private readonly on: (node: string) => PgConnection) {}

  /** The session saw position `lsn` on `node` (an acknowledged write's commit, or a read). */
  advance(node: string, lsn: string | null | undefined): void {
    if (!lsn) return;
    const v = lsnValue(lsn);
    if (v <= this.value) return;
    this.value = v;
    this.lsn = lsn;
    this.holder = node;
  }

  async readNode(preferred: string): Promise<string> {
    if (this.holder === undefined || this.holder === preferred) return preferred;
    try {
      const r = await this.on(preferred).query(`SELECT (${APPLIED_LSN_SQL}) >= $1::pg_lsn AS caught_up`, [
        this.lsn,
      ]);
      return r.rows[0]?.caught_up === true ? preferred : this.holder;
    } catch {
      // The local node cannot say: the holder certainly has the session's writes.
      return this.holder;
    }
  }

  describe(): string {
    return this.holder === undefined ? "no position yet" : `${this.holder} at ${this.lsn}`;
  }
}
