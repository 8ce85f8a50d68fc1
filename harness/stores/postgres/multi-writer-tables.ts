/**
 * The workloads' tables on a multi-writer layout, where every node takes writes and logical
 * replication carries row changes both ways. Two things differ from a single-writer layout:
 *
 * - Rows exist before clients start, seeded on each key's home node (home-region.ts): two regions
 *   inserting the same new key would be an `insert_exists` conflict, which stops PostgreSQL's
 *   apply worker for good; updates of existing rows are what the scenarios are about.
 * - The conflict strategy is a table shape:
 *   - `apply-on-arrival` (PostgreSQL's own behaviour): the remote row version replaces the local one
 *     whenever it arrives;
 *   - `last-writer-wins`: each row carries the time and node of its last local write, and a trigger
 *     enabled ALWAYS (so it also fires in the apply worker, which runs as session_replication_role
 *     = replica) keeps the newer version, logging every remote version it throws away in
 *     `faultline_lww_discards` (which write lost to which);
 *   - `row-per-node` counters (a CRDT, a G-counter): each node increments only its own row of a
 *     counter and a read sums the rows, so no row is ever written in two places.
 */
import type { CounterClient } from "../../../workloads/counter.ts";
import type { PgConnection } from "./node-connections.ts";
import { PgCounterClient } from "./counter-client.ts";
import { PgRegisterClient } from "./register-client.ts";
import type { RunningPostgresNode } from "./postgres-node.ts";
import {
  drainQueues,
  PgSetRowClient,
  QUEUE_DDL,
  readQueues,
  SET_ROWS_DDL,
  startResolver,
} from "./reconciliation-queue.ts";

export type MultiWriterResolution = "apply-on-arrival" | "last-writer-wins" | "queue";

/** Keys seeded per workload; a key beyond them would be inserted concurrently (see above). */
export const SEEDED_KEYS: Record<string, number> = { counter: 64, register: 20_000, set: 64 };

export interface MultiWriterTable {
  /** Tables the nodes publish to each other. */
  tables: string[];
  /** Run on every node before the subscriptions exist. */
  ddl: string;
  /** Rows this node seeds: `homeOf(key)` is the node index owning a key. */
  seed(nodeIndex: number, nodeCount: number): string;
  client(conn: PgConnection, node: string): unknown;
  /** A node's whole state as (key, value) rows for the divergence check. */
  stateQuery: string;
  value(v: unknown): unknown;
  /** Background work while clients run (a reconciliation queue's resolver). */
  background?(nodes: RunningPostgresNode[]): { stop(): Promise<void> };
  /** Before quiescing: settle what background work left (resolve every queued conflict). */
  drain?(nodes: RunningPostgresNode[], timeoutMs: number): Promise<unknown>;
  /** Signals read at the end (the queue and its resolution latency). */
  finalSignals?(nodes: RunningPostgresNode[]): Promise<Record<string, unknown>>;
}

/** The seeded rows of `table` this node owns: keys k with k mod nodeCount = nodeIndex. */
const ownKeys = (n: number, i: number, count: number) =>
  `SELECT k FROM generate_series(0, ${n - 1}) AS k WHERE k % ${count} = ${i}`;

const LWW_FUNCTION = `
CREATE TABLE IF NOT EXISTS faultline_lww_discards (
  id bigserial PRIMARY KEY, tbl text NOT NULL, key bigint NOT NULL,
  lost_value bigint, lost_at timestamptz NOT NULL, lost_by text NOT NULL,
  kept_value bigint, kept_at timestamptz NOT NULL, kept_by text NOT NULL,
  discarded_at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE OR REPLACE FUNCTION faultline_lww() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('session_replication_role') <> 'replica' THEN
    -- A local write: stamp it with this node's clock and name.
    NEW.lww_at := clock_timestamp();
    NEW.lww_by := current_setting('cluster_name');
    RETURN NEW;
  END IF;
  -- A remote version arriving: keep whichever is newer (node name breaks ties). Names are
  -- schema-qualified: the apply worker runs with an empty search_path.
  IF (NEW.lww_at, NEW.lww_by) < (OLD.lww_at, OLD.lww_by) THEN
    INSERT INTO public.faultline_lww_discards (tbl, key, lost_value, lost_at, lost_by, kept_value, kept_at, kept_by)
      VALUES (TG_TABLE_NAME, OLD.key, NEW.value, NEW.lww_at, NEW.lww_by, OLD.value, OLD.lww_at, OLD.lww_by);
    RETURN NULL;
  END IF;
  RETURN NEW;
END $$;`;

function lwwOn(table: string): string {
  return [
    `ALTER TABLE ${table} ADD COLUMN lww_at timestamptz NOT NULL DEFAULT '-infinity'`,
    `ALTER TABLE ${table} ADD COLUMN lww_by text NOT NULL DEFAULT ''`,
    `CREATE TRIGGER faultline_lww BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION faultline_lww()`,
    `ALTER TABLE ${table} ENABLE ALWAYS TRIGGER faultline_lww`,
  ].join(";\n");
}

const sharedCounter = (resolution: MultiWriterResolution): MultiWriterTable => ({
  tables: ["counters"],
  ddl: [
    "CREATE TABLE counters (key bigint PRIMARY KEY, value bigint NOT NULL DEFAULT 0)",
    ...(resolution === "last-writer-wins" ? [LWW_FUNCTION, lwwOn("counters")] : []),
  ].join(";\n"),
  seed: (i, count) =>
    `INSERT INTO counters (key, value) ${ownKeys(SEEDED_KEYS.counter!, i, count).replace("SELECT k", "SELECT k, 0")}`,
  client: (conn) => new PgCounterClient(conn),
  stateQuery: "SELECT key, value FROM counters",
  value: (v) => Number(v),
});

/** The G-counter: a node only ever updates its own row of each counter. */
export class PgRowPerNodeCounterClient implements CounterClient {
  constructor(
    private readonly conn: PgConnection,
    private readonly node: string,
  ) {}

  async add(key: number, delta: number): Promise<void> {
    const r = await this.conn.query(
      "UPDATE counter_shares SET value = value + $2 WHERE key = $1 AND node = $3",
      [key, delta, this.node],
    );
    if (r.rowCount !== 1)
      throw new Error(
        `counter ${key} has no row for ${this.node} (seeded keys: 0..${SEEDED_KEYS.counter! - 1})`,
      );
  }

  async read(key: number): Promise<number> {
    const r = await this.conn.query(
      "SELECT coalesce(sum(value), 0) AS value FROM counter_shares WHERE key = $1",
      [key],
    );
    return Number(r.rows[0].value);
  }

  async close(): Promise<void> {}
}

const rowPerNodeCounter: MultiWriterTable = {
  tables: ["counter_shares"],
  ddl: "CREATE TABLE counter_shares (key bigint NOT NULL, node text NOT NULL, value bigint NOT NULL DEFAULT 0, PRIMARY KEY (key, node))",
  // Every node seeds its own row of every counter.
  seed: () =>
    `INSERT INTO counter_shares (key, node, value) SELECT k, current_setting('cluster_name'), 0 FROM generate_series(0, ${SEEDED_KEYS.counter! - 1}) AS k`,
  client: (conn, node) => new PgRowPerNodeCounterClient(conn, node),
  // Each node's share compared separately: a lost increment in one share shows as that share differing.
  stateQuery: "SELECT key || '/' || node AS key, value FROM counter_shares",
  value: (v) => Number(v),
};

const register = (resolution: MultiWriterResolution): MultiWriterTable => ({
  tables: ["registers"],
  ddl: [
    // value NULL: a seeded register nobody has written (reads return null, as for a missing row).
    "CREATE TABLE registers (key bigint PRIMARY KEY, value bigint)",
    ...(resolution === "last-writer-wins" ? [LWW_FUNCTION, lwwOn("registers")] : []),
  ].join(";\n"),
  seed: (i, count) =>
    `INSERT INTO registers (key, value) ${ownKeys(SEEDED_KEYS.register!, i, count).replace("SELECT k", "SELECT k, NULL")}`,
  client: (conn) => new PgRegisterClient(conn),
  stateQuery: "SELECT key, value FROM registers WHERE value IS NOT NULL",
  value: (v) => Number(v),
});

/** Sets as one array row per key (reconciliation-queue.ts): concurrent adds conflict on the row;
 *  `queue` records them for a person instead of applying the remote version. */
const setRows = (resolution: MultiWriterResolution): MultiWriterTable => ({
  tables: ["set_rows"],
  ddl: [SET_ROWS_DDL, ...(resolution === "queue" ? [QUEUE_DDL] : [])].join(";\n"),
  seed: (i, count) => `INSERT INTO set_rows (key) ${ownKeys(SEEDED_KEYS.set!, i, count)}`,
  client: (conn) => new PgSetRowClient(conn),
  stateQuery:
    "SELECT key, ARRAY(SELECT DISTINCT e FROM unnest(elements) e ORDER BY e) AS value FROM set_rows",
  value: (v) => (v as unknown[]).map(Number),
  ...(resolution === "queue"
    ? {
        background: startResolver,
        drain: drainQueues,
        finalSignals: async (nodes: RunningPostgresNode[]) => ({ reconciliation: await readQueues(nodes) }),
      }
    : {}),
});

export interface MultiWriterTableOptions {
  resolution: MultiWriterResolution;
  counter: "shared-row" | "row-per-node";
}

/** The workloads a multi-writer layout has tables for. */
export const MULTI_WRITER_WORKLOADS = ["counter", "register", "set"] as const;

export function multiWriterTable(workload: string, o: MultiWriterTableOptions): MultiWriterTable {
  switch (workload) {
    case "counter":
      return o.counter === "row-per-node" ? rowPerNodeCounter : sharedCounter(o.resolution);
    case "register":
      return register(o.resolution);
    case "set":
      return setRows(o.resolution);
    default:
      throw new Error(
        `the multi-writer layout has no tables for workload '${workload}' (has: ${MULTI_WRITER_WORKLOADS.join(", ")})`,
      );
  }
}
