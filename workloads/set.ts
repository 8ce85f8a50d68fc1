/**
 * Set workload (Jepsen's set-full): clients `add` unique integers to one of a few sets (one per
 * key) and `read` a whole set. Once the faults have healed and replication has quiesced, each
 * region reads every set once more: the final reads, against which an acknowledged add that is
 * gone shows up as a lost write (checkers/set.ts).
 */
import { z } from "zod";
import type { Random } from "./random.ts";
import type { Applied, ProcessSlot, Workload, WorkloadDefinition } from "./workload.ts";

export type SetOp = { f: "add"; key: number; value: number } | { f: "read"; key: number; value: null };

/** What a store's client must do for this workload. */
export interface SetClient {
  add(key: number, element: number): Promise<void>;
  /** Every element of the set, each as often as the store holds it (duplicates are anomalies). */
  read(key: number): Promise<number[]>;
  close(): Promise<void>;
}

export const SetOptionsSchema = z
  .object({
    /** Number of sets (keys 0 .. keys-1); every op picks one at random. */
    keys: z.number().int().min(1).max(10_000).default(4),
    /** Share of reads; the rest are adds. */
    readShare: z.number().min(0).max(1).default(0.4),
  })
  .strict();

export type SetWorkloadOptions = z.input<typeof SetOptionsSchema>;

/** One process's set ops: elements unique across processes (slot + k * count), drawn only from
 *  the process's own random stream. */
export class SetGenerator {
  private added = 0;
  private readonly options: z.output<typeof SetOptionsSchema>;

  constructor(
    private readonly random: Random,
    options: SetWorkloadOptions,
    private readonly slot: ProcessSlot = { index: 0, count: 1 },
  ) {
    if (!(Number.isInteger(options.keys ?? 4) && (options.keys ?? 4) >= 1))
      throw new Error(`set workload: keys must be an integer >= 1, got ${options.keys}`);
    this.options = SetOptionsSchema.parse(options);
  }

  next(): SetOp {
    const key = this.random.int(this.options.keys);
    if (this.random.float() < this.options.readShare) return { f: "read", key, value: null };
    // Every element is added once, across all keys and processes, so a read names the add it came from.
    return { f: "add", key, value: this.slot.index + 1 + this.added++ * this.slot.count };
  }

  /** One read of every set. */
  finalReads(): SetOp[] {
    return Array.from({ length: this.options.keys }, (_, key) => ({ f: "read", key, value: null }) as const);
  }
}

export async function applySetOp(client: SetClient, op: SetOp): Promise<Applied> {
  if (op.f === "add") {
    await client.add(op.key, op.value);
    return { ok: true, value: op.value };
  }
  return { ok: true, value: await client.read(op.key) };
}

export function setWorkload(options: SetWorkloadOptions): Workload<SetClient, SetOp> {
  const finals = new SetGenerator({ float: () => 0, int: () => 0 }, options).finalReads();
  return {
    name: "set",
    forProcess: (slot, random) => {
      const g = new SetGenerator(random, options, slot);
      return () => g.next();
    },
    apply: applySetOp,
    readOnly: (op) => op.f === "read",
    finalOps: () => finals,
  };
}

export const set: WorkloadDefinition<z.output<typeof SetOptionsSchema>> = {
  name: "set",
  description:
    "adds of unique elements to a few sets and reads of whole sets; every set read again at the end",
  options: SetOptionsSchema,
  create: (o) => setWorkload(o) as Workload<unknown, SetOp>,
};
