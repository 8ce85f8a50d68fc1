/**
 * What each workload is on PostgreSQL: its schema, the client that applies its ops on one node's
 * connection, and the query that reads a node's whole state as (key, value) rows for the
 * divergence check. A new workload on PostgreSQL is one entry here plus its client file.
 */
import {
  LIST_APPEND_LAST_TABLE,
  LIST_APPEND_SCHEMA,
  LIST_APPEND_STATE_QUERY,
  PgListAppendClient,
} from "./list-append-client.ts";
import { BANK_SCHEMA, BANK_STATE_QUERY, PgBankClient } from "./bank-client.ts";
import { COUNTER_SCHEMA, COUNTER_STATE_QUERY, PgCounterClient } from "./counter-client.ts";
import { PgRwTxnClient, RW_REGISTER_TABLE, rwTableSchema, rwTableStateQuery } from "./rw-register-client.ts";
import { PgRegisterClient, REGISTER_SCHEMA, REGISTER_STATE_QUERY } from "./register-client.ts";
import type { PgConnection } from "./node-connections.ts";
import type { PgSessionToken } from "./session-token.ts";
import { PgSetClient, SET_SCHEMA, SET_STATE_QUERY } from "./set-client.ts";

export interface PgWorkloadTable {
  /** SQL run once on each writable node before clients start. */
  schema: string;
  /** A table whose arrival on a standby shows the schema has replicated. */
  table: string;
  /** `session`: the process's causality token and the node `conn` reaches, for workloads that
   *  keep one (register; see `sessionTokens`). */
  client(conn: PgConnection, session?: { token: PgSessionToken; node: string }): unknown;
  /** Whether its client keeps a session token (read policy `pinned`). */
  sessionTokens?: boolean;
  stateQuery: string;
  /** A state row's value as the checkers compare it. */
  value(v: unknown): unknown;
}

export const PG_WORKLOADS: Record<string, PgWorkloadTable> = {
  register: {
    schema: REGISTER_SCHEMA,
    table: "registers",
    client: (c, session) => new PgRegisterClient(c, session),
    sessionTokens: true,
    stateQuery: REGISTER_STATE_QUERY,
    value: (v) => Number(v),
  },
  set: {
    schema: SET_SCHEMA,
    table: "set_elements",
    client: (c) => new PgSetClient(c),
    stateQuery: SET_STATE_QUERY,
    // bigint[] arrives as strings
    value: (v) => (v as unknown[]).map(Number),
  },
  counter: {
    schema: COUNTER_SCHEMA,
    table: "counters",
    client: (c) => new PgCounterClient(c),
    stateQuery: COUNTER_STATE_QUERY,
    value: (v) => Number(v),
  },
  "list-append": {
    schema: LIST_APPEND_SCHEMA,
    table: LIST_APPEND_LAST_TABLE,
    client: (c) => new PgListAppendClient(c),
    stateQuery: LIST_APPEND_STATE_QUERY,
    value: (v) => (v as unknown[]).map(Number),
  },
  bank: {
    schema: BANK_SCHEMA,
    table: "bank_accounts",
    client: (c) => new PgBankClient(c),
    stateQuery: BANK_STATE_QUERY,
    value: (v) => Number(v),
  },
  "rw-register": {
    schema: rwTableSchema(RW_REGISTER_TABLE),
    table: RW_REGISTER_TABLE,
    client: (c) => new PgRwTxnClient(c, RW_REGISTER_TABLE),
    stateQuery: rwTableStateQuery(RW_REGISTER_TABLE),
    value: (v) => Number(v),
  },
  // Long-fork's inserts and group reads are register transactions on their own table.
  "long-fork": {
    schema: rwTableSchema("long_fork"),
    table: "long_fork",
    client: (c) => new PgRwTxnClient(c, "long_fork"),
    stateQuery: rwTableStateQuery("long_fork"),
    value: (v) => Number(v),
  },
};

export function pgWorkload(name: string): PgWorkloadTable {
  const w = PG_WORKLOADS[name];
  if (!w)
    throw new Error(
      `PostgreSQL has no client for workload '${name}' (has: ${Object.keys(PG_WORKLOADS).join(", ")})`,
    );
  return w;
}
