/**
 * A workload whose every op is one transaction of micro-ops (`f: "txn"`, value
 * `[["r", k, null], ["w", k, v], ...]`, Elle's shape) run at one isolation level. list-append,
 * rw-register and long-fork differ only in how a process draws its transactions; how such an op is
 * applied (the client's `txn` at the workload's isolation level) and which ops only read (every
 * micro-op an `"r"`) is the same for all of them, so it is written once here.
 */
import type { IsolationLevel } from "./isolation.ts";
import type { Random } from "./random.ts";
import type { Applied, ProcessSlot, Workload } from "./workload.ts";

/** One micro-op: its function (`"r"` reads), its key, its value (a read's is filled in on completion). */
export type Mop = [string, number, unknown];

export interface TxnOp<M extends Mop> {
  f: "txn";
  value: M[];
}

/** What a store's client must do for a transactional workload: run the micro-ops in one
 *  transaction at `isolation`, returning them with reads filled in. */
export interface TxnClient<M extends Mop> {
  txn(mops: M[], isolation: IsolationLevel): Promise<M[]>;
}

/**
 * The Workload around a transaction generator: `generator(slot, random)` makes one process's
 * generator (drawing only from that process's `random`); each op is applied as one `txn` at
 * `isolation`; an op is read-only when every micro-op is a read.
 */
export function txnWorkload<O extends TxnOp<Mop>>(
  name: string,
  isolation: IsolationLevel,
  generator: (slot: ProcessSlot, random: Random) => { next(): O },
): Workload<TxnClient<O["value"][number]>, O> {
  return {
    name,
    forProcess: (slot, random) => {
      const g = generator(slot, random);
      return () => g.next();
    },
    apply: async (client, op): Promise<Applied> => ({
      ok: true,
      value: await client.txn(op.value, isolation),
    }),
    readOnly: (op) => op.value.every((m) => m[0] === "r"),
  };
}
