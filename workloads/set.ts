/**
 * Set workload (Jepsen's set-full): clients `add` unique integers to one of a few sets (one per
 * key) and `read` a whole set. Once the faults have healed and replication has quiesced, each
 * region reads every set once more: the final reads, against which an acknowledged add that is
 * gone shows up as a lost write (checkers/set.ts).
 */
import type { Random } from "./random.ts";
import type { Applied, Workload } from "./workload.ts";

export type SetOp = { f: "add"; key: number; value: number } | { f: "read"; key: number; value: null };

/** What a store's client must do for this workload. */
export interface SetClient {
  add(key: number, element: number): Promise<void>;
  /** Every element of the set, each as often as the store holds it (duplicates are anomalies). */
  read(key: number): Promise<number[]>;
  close(): Promise<void>;
}

export interface SetWorkloadOptions {
  /** Number of sets (keys 0 .. keys-1); every op picks one at random. */
  keys: number;
  /** Share of reads; the rest are adds. Default 0.4. */
  readShare?: number;
}

export class SetGenerator {
  private nextElement = 1;
  private readonly readShare: number;

  constructor(
    private readonly random: Random,
    private readonly options: SetWorkloadOptions,
  ) {
    if (!(Number.isInteger(options.keys) && options.keys >= 1))
      throw new Error(`set workload: keys must be an integer >= 1, got ${options.keys}`);
    this.readShare = options.readShare ?? 0.4;
  }

  next(): SetOp {
    const key = this.random.int(this.options.keys);
    if (this.random.float() < this.readShare) return { f: "read", key, value: null };
    // Every element is added once, across all keys, so a read names the add it came from.
    return { f: "add", key, value: this.nextElement++ };
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

export function setWorkload(random: Random, options: SetWorkloadOptions): Workload<SetClient, SetOp> {
  const generator = new SetGenerator(random, options);
  return {
    name: "set",
    next: () => generator.next(),
    apply: applySetOp,
    // A read changes nothing: an error on one is a definite failure.
    hasEffect: (op) => op.f === "add",
    finalOps: () => generator.finalReads(),
  };
}
