/**
 * List-append workload (Elle's): transactions of 1-4 micro-ops over a small, sliding set of keys;
 * an append adds a value to a key's list, a read returns the whole list. Because every value is
 * appended once, a read names the appends it saw and their order, so the checker can infer every
 * write-write, write-read and read-write dependency (checkers/elle/). History shape (DESIGN.md):
 * `f: "txn"`, `value: [["append", k, v], ["r", k, null]]`, reads filled in by the completion.
 *
 * Keys: a window of `activeKeys` keys that slides on as appends go on (key-window.ts; a key gets
 * about `writesPerKey` appends), so lists stay short and processes meet on the same keys.
 */
import { z } from "zod";
import type { IsolationLevel } from "./isolation.ts";
import { keyWindowTxnOptions, windowKey } from "./key-window.ts";
import type { Random } from "./random.ts";
import { txnWorkload } from "./txn.ts";
import type { ProcessSlot, Workload, WorkloadDefinition } from "./workload.ts";

export type AppendMop = ["append", number, number];
export type ReadMop = ["r", number, number[] | null];
export type ListAppendMop = AppendMop | ReadMop;

export type ListAppendOp = { f: "txn"; value: ListAppendMop[] };

/** What a store's client must do for this workload. */
export interface ListAppendClient {
  /** Runs the micro-ops in one transaction at `isolation`; returns them with reads filled in.
   *  Throws `DefiniteFailure` when the transaction certainly did not commit. */
  txn(mops: ListAppendMop[], isolation: IsolationLevel): Promise<ListAppendMop[]>;
}

/** isolation, activeKeys, writesPerKey (appends), min/maxTxnLength (key-window.ts), and: */
export const ListAppendOptionsSchema = keyWindowTxnOptions({
  /** Share of reads among micro-ops (mixed) or of read-only transactions (`read-or-append`). */
  readShare: z.number().min(0).max(1).default(0.5),
  /**
   * `mixed`: each micro-op is a read or an append. `read-or-append`: a transaction only reads or
   * only appends (write skew cannot happen; read-only transactions go to the read target).
   */
  txnKind: z.enum(["mixed", "read-or-append"]).default("mixed"),
});

export type ListAppendOptions = z.output<typeof ListAppendOptionsSchema>;

/**
 * One process's transactions, drawn only from its own random stream and slot. Appended values are
 * unique across every key and process (slot + k * count), so a read names the append it came from.
 */
export class ListAppendGenerator {
  private appended = 0;
  private readonly options: ListAppendOptions;

  constructor(
    private readonly random: Random,
    options: z.input<typeof ListAppendOptionsSchema>,
    private readonly slot: ProcessSlot = { index: 0, count: 1 },
  ) {
    this.options = ListAppendOptionsSchema.parse(options);
  }

  private key(): number {
    return windowKey(this.random, this.slot, this.appended, this.options);
  }

  private append(): AppendMop {
    const key = this.key();
    return ["append", key, this.slot.index + 1 + this.appended++ * this.slot.count];
  }

  next(): ListAppendOp {
    const { minTxnLength, maxTxnLength, readShare, txnKind } = this.options;
    const length = minTxnLength + this.random.int(maxTxnLength - minTxnLength + 1);
    const readOnly = txnKind === "read-or-append" && this.random.float() < readShare;
    const mops: ListAppendMop[] = [];
    for (let i = 0; i < length; i++) {
      const read = txnKind === "mixed" ? this.random.float() < readShare : readOnly;
      mops.push(read ? ["r", this.key(), null] : this.append());
    }
    return { f: "txn", value: mops };
  }
}

export function listAppendWorkload(
  input: z.input<typeof ListAppendOptionsSchema>,
): Workload<ListAppendClient, ListAppendOp> {
  const options = ListAppendOptionsSchema.parse(input);
  return txnWorkload(
    "list-append",
    options.isolation,
    (slot, random) => new ListAppendGenerator(random, options, slot),
  );
}

export const listAppend: WorkloadDefinition<ListAppendOptions> = {
  name: "list-append",
  description:
    "transactions of appends to and reads of lists on a few keys at a time (Elle's list-append), at an isolation level",
  options: ListAppendOptionsSchema,
  create: (o) => listAppendWorkload(o) as Workload<unknown, ListAppendOp>,
};
