/**
 * Counter workload (Jepsen's counter): clients `add` 1 to one of a few counters (one per key) and
 * `read` a counter's value; after healing, each region reads every counter once more. Judged by
 * checkers/counter.ts: a read below the acknowledged increments is an increment that was lost.
 *
 * The clearest way to see a multi-writer store drop updates: both regions increment one shared
 * row (`v = v + 1`), and whatever resolves the conflicting row versions keeps only one side's.
 */
import { z } from "zod";
import type { Random } from "./random.ts";
import type { Applied, Workload, WorkloadDefinition } from "./workload.ts";

export type CounterOp = { f: "add"; key: number; value: number } | { f: "read"; key: number; value: null };

/** What a store's client must do for this workload. */
export interface CounterClient {
  /** Adds `delta` to counter `key` (which starts at 0). */
  add(key: number, delta: number): Promise<void>;
  read(key: number): Promise<number>;
  close(): Promise<void>;
}

export const CounterOptionsSchema = z
  .object({
    /** Number of counters (keys 0 .. keys-1); every op picks one at random. */
    keys: z.number().int().min(1).max(64).default(1),
    /** Share of reads; the rest are increments. */
    readShare: z.number().min(0).max(1).default(0.3),
  })
  .strict();

export type CounterOptions = z.output<typeof CounterOptionsSchema>;

export function counterWorkload(
  input: z.input<typeof CounterOptionsSchema>,
): Workload<CounterClient, CounterOp> {
  const options = CounterOptionsSchema.parse(input);
  const finals: CounterOp[] = Array.from({ length: options.keys }, (_, key) => ({
    f: "read",
    key,
    value: null,
  }));
  return {
    name: "counter",
    forProcess: (_slot, random: Random) => () => {
      const key = random.int(options.keys);
      return random.float() < options.readShare
        ? { f: "read", key, value: null }
        : { f: "add", key, value: 1 };
    },
    apply: async (client, op): Promise<Applied> => {
      if (op.f === "add") {
        await client.add(op.key, op.value);
        return { ok: true, value: op.value };
      }
      return { ok: true, value: await client.read(op.key) };
    },
    readOnly: (op) => op.f === "read",
    finalOps: () => finals,
  };
}

export const counter: WorkloadDefinition<CounterOptions> = {
  name: "counter",
  description: "increments of a few counters and reads of their values; every counter read again at the end",
  options: CounterOptionsSchema,
  create: (o) => counterWorkload(o) as Workload<unknown, CounterOp>,
};
