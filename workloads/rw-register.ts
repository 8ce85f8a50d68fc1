/**
 * Read/write register transactions (Elle's rw-register): transactions of 1-4 micro-ops, each a
 * read (`["r", k, null]`, filled in by the completion) or a write of a value no other write to any
 * key uses (`["w", k, v]`), over a small window of keys that slides as writes go on. Unique values
 * let a read name the write it saw, which is all Elle's rw-register inference needs.
 */
import { z } from "zod";
import type { IsolationLevel } from "./isolation.ts";
import { keyWindowTxnOptions, windowKey } from "./key-window.ts";
import type { Random } from "./random.ts";
import { txnWorkload } from "./txn.ts";
import type { ProcessSlot, Workload, WorkloadDefinition } from "./workload.ts";

export type RwMop = ["r", number, number | null] | ["w", number, number];

export type RwRegisterOp = { f: "txn"; value: RwMop[] };

/** What a store's client must do for read/write register transactions (also long-fork's). */
export interface RwTxnClient {
  /** Runs the micro-ops in one transaction at `isolation`; returns them with reads filled in
   *  (null: the key has no value). Throws `DefiniteFailure` when it certainly did not commit. */
  txn(mops: RwMop[], isolation: IsolationLevel): Promise<RwMop[]>;
}

/** isolation, activeKeys, writesPerKey, min/maxTxnLength (key-window.ts), and: */
export const RwRegisterOptionsSchema = keyWindowTxnOptions({
  /** Share of reads among micro-ops. */
  readShare: z.number().min(0).max(1).default(0.5),
});

export type RwRegisterOptions = z.output<typeof RwRegisterOptionsSchema>;

/** One process's transactions, from its own random stream; written values unique across processes
 *  (slot + k * count). */
export class RwRegisterGenerator {
  private written = 0;
  private readonly options: RwRegisterOptions;

  constructor(
    private readonly random: Random,
    options: z.input<typeof RwRegisterOptionsSchema>,
    private readonly slot: ProcessSlot = { index: 0, count: 1 },
  ) {
    this.options = RwRegisterOptionsSchema.parse(options);
  }

  private key(): number {
    return windowKey(this.random, this.slot, this.written, this.options);
  }

  next(): RwRegisterOp {
    const { minTxnLength, maxTxnLength, readShare } = this.options;
    const length = minTxnLength + this.random.int(maxTxnLength - minTxnLength + 1);
    const mops: RwMop[] = [];
    for (let i = 0; i < length; i++) {
      const key = this.key();
      if (this.random.float() < readShare) mops.push(["r", key, null]);
      else mops.push(["w", key, this.slot.index + 1 + this.written++ * this.slot.count]);
    }
    return { f: "txn", value: mops };
  }
}

export function rwRegisterWorkload(
  input: z.input<typeof RwRegisterOptionsSchema>,
): Workload<RwTxnClient, RwRegisterOp> {
  const options = RwRegisterOptionsSchema.parse(input);
  return txnWorkload(
    "rw-register",
    options.isolation,
    (slot, random) => new RwRegisterGenerator(random, options, slot),
  );
}

export const rwRegister: WorkloadDefinition<RwRegisterOptions> = {
  name: "rw-register",
  description:
    "transactions of reads and unique-valued writes of integer registers (Elle's rw-register), at an isolation level",
  options: RwRegisterOptionsSchema,
  create: (o) => rwRegisterWorkload(o) as Workload<unknown, RwRegisterOp>,
};
