/**
 * Transactions over a sliding window of keys (Elle's list-append and rw-register): `activeKeys`
 * keys are in play at once, and the window moves on to fresh keys as writes go on, so that each
 * key gets about `writesPerKey` writes from all processes together (values stay short, reads stay
 * cheap). Processes run at about the same pace, so they meet on the same keys: contention is what
 * the isolation-level controls need. The options those workloads share and the key choice are
 * here once; each workload adds its own options and micro-ops.
 */
import { z } from "zod";
import { IsolationSchema } from "./isolation.ts";
import type { Random } from "./random.ts";
import type { ProcessSlot } from "./workload.ts";

/** The shared options; `extra` adds a workload's own (unknown fields are errors). */
export function keyWindowTxnOptions<S extends z.ZodRawShape>(extra: S) {
  return z
    .object({
      isolation: IsolationSchema.default("serializable"),
      /** Keys in play at once. */
      activeKeys: z.number().int().min(1).max(10_000).default(10),
      /** About how many writes a key gets (all processes together) before the window moves past it. */
      writesPerKey: z.number().int().min(1).max(10_000).default(32),
      minTxnLength: z.number().int().min(1).max(64).default(1),
      maxTxnLength: z.number().int().min(1).max(64).default(4),
      ...extra,
    })
    .strict()
    .refine(
      (o) => {
        // The shape's fields are declared just above; a generic `S` hides their types from zod.
        const { minTxnLength, maxTxnLength } = o as { minTxnLength: number; maxTxnLength: number };
        return minTxnLength <= maxTxnLength;
      },
      { message: "minTxnLength must be at most maxTxnLength", path: ["minTxnLength"] },
    );
}

/**
 * A key of the window after this process's `written` writes: the window's first key moves one on
 * every `writesPerKey` writes of all processes (this one's times the process count).
 */
export function windowKey(
  random: Random,
  slot: ProcessSlot,
  written: number,
  options: { activeKeys: number; writesPerKey: number },
): number {
  const start = Math.floor((written * slot.count) / options.writesPerKey);
  return start + random.int(options.activeKeys);
}
