/**
 * List-append workload (Elle's): transactions of 1-4 micro-ops over a small, sliding set of keys;
 * an append adds a value to a key's list, a read returns the whole list. Because every value is
 * appended once, a read names the appends it saw and their order, so the checker can infer every
 * write-write, write-read and read-write dependency (checkers/elle/). History shape (DESIGN.md):
 * `f: "txn"`, `value: [["append", k, v], ["r", k, null]]`, reads filled in by the completion.
 *
 * Keys: `activeKeys` keys are in play at once, and the window slides to fresh keys as this process
 * issues micro-ops, so that each key gets about `writesPerKey` appends from all processes together
 * (lists stay short, reads stay cheap). Processes run at about the same pace, so they meet on the
 * same keys: contention is what the isolation-level controls need.
 */
import { z } from "zod";
import { IsolationSchema, type IsolationLevel } from "./isolation.ts";
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

export const ListAppendOptionsSchema = z
  .object({
    isolation: IsolationSchema.default("serializable"),
    /** Keys in play at once. */
    activeKeys: z.number().int().min(1).max(10_000).default(10),
    /** About how many appends a key gets (all processes together) before the window moves past it. */
    writesPerKey: z.number().int().min(1).max(10_000).default(32),
    minTxnLength: z.number().int().min(1).max(64).default(1),
    maxTxnLength: z.number().int().min(1).max(64).default(4),
    /** Share of reads among micro-ops (mixed) or of read-only transactions (`read-or-append`). */
    readShare: z.number().min(0).max(1).default(0.5),
    /**
     * `mixed`: each micro-op is a read or an append. `read-or-append`: a transaction only reads or
     * only appends (write skew cannot happen; read-only transactions go to the read target).
     */
    txnKind: z.enum(["mixed", "read-or-append"]).default("mixed"),
  })
  .strict()
  .refine((o) => o.minTxnLength <= o.maxTxnLength, {
    message: "minTxnLength must be at most maxTxnLength",
    path: ["minTxnLength"],
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

  /** The first key of the window: every `writesPerKey` appends of all processes, one key on. */
  private windowStart(): number {
    return Math.floor((this.appended * this.slot.count) / this.options.writesPerKey);
  }

  private key(): number {
    return this.windowStart() + this.random.int(this.options.activeKeys);
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
