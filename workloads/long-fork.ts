/**
 * Long-fork workload (Jepsen's long-fork): writers insert single keys, each key once
 * (`[["w", k, 1]]`); readers read a whole group of adjacent keys in one transaction
 * (`[["r", k, null], ...]`). Under snapshot isolation any two reads of a group are ordered (one
 * saw everything the other saw); two reads that saw two inserts in opposite orders are a long
 * fork (checkers/long-fork.ts), what readable replicas that apply commits in different orders
 * show.
 *
 * Process `slot`'s k-th insert goes to key k * count + slot: unique across processes, and
 * processes running at about the same pace fill the same groups at about the same time, so
 * readers of a group race its writers.
 */
import { z } from "zod";
import { IsolationSchema } from "./isolation.ts";
import type { Random } from "./random.ts";
import type { RwMop, RwTxnClient } from "./rw-register.ts";
import { txnWorkload } from "./txn.ts";
import type { ProcessSlot, Workload, WorkloadDefinition } from "./workload.ts";

export type LongForkOp = { f: "txn"; value: RwMop[] };

export const LongForkOptionsSchema = z
  .object({
    isolation: IsolationSchema.default("serializable"),
    /** Keys per group: a read reads all of one group. */
    groupSize: z.number().int().min(2).max(64).default(3),
    /** Share of reads; the rest are inserts. */
    readShare: z.number().min(0).max(1).default(0.5),
  })
  .strict();

export type LongForkOptions = z.output<typeof LongForkOptionsSchema>;

/** One process's ops, from its own random stream. */
export class LongForkGenerator {
  private inserted = 0;
  private readonly options: LongForkOptions;

  constructor(
    private readonly random: Random,
    options: z.input<typeof LongForkOptionsSchema>,
    private readonly slot: ProcessSlot = { index: 0, count: 1 },
  ) {
    this.options = LongForkOptionsSchema.parse(options);
  }

  next(): LongForkOp {
    const { groupSize, readShare } = this.options;
    const { index, count } = this.slot;
    if (this.random.float() < readShare) {
      // A group being written about now: around the keys all processes' latest inserts went to.
      const recent = Math.max(0, this.inserted - 1) * count + this.random.int(count);
      const first = Math.floor(recent / groupSize) * groupSize;
      const value: RwMop[] = Array.from({ length: groupSize }, (_, i) => ["r", first + i, null]);
      return { f: "txn", value };
    }
    const key = this.inserted++ * count + index;
    return { f: "txn", value: [["w", key, 1]] };
  }
}

export function longForkWorkload(
  input: z.input<typeof LongForkOptionsSchema>,
): Workload<RwTxnClient, LongForkOp> {
  const options = LongForkOptionsSchema.parse(input);
  return txnWorkload(
    "long-fork",
    options.isolation,
    (slot, random) => new LongForkGenerator(random, options, slot),
  );
}

export const longFork: WorkloadDefinition<LongForkOptions> = {
  name: "long-fork",
  description: "inserts of single keys and reads of whole groups of keys (Jepsen's long-fork)",
  options: LongForkOptionsSchema,
  create: (o) => longForkWorkload(o) as Workload<unknown, LongForkOp>,
};
