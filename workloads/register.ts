/**
 * Register workload on independent keys: reads, writes and compare-and-set, every written value
 * unique. Keys retire after `opsPerKey` operations so each key's history stays small enough for
 * the linearizability search, while `keysInFlight` keys are worked on at once.
 */
import { z } from "zod";
import type { Random } from "./random.ts";
import type { Applied, ProcessSlot, Workload, WorkloadDefinition } from "./workload.ts";

export type RegisterOp =
  | { f: "read"; key: number; value: null }
  | { f: "write"; key: number; value: number }
  | { f: "cas"; key: number; value: [number, number] };

/** What a store's client must do for this workload. */
export interface RegisterClient {
  read(key: number): Promise<number | null>;
  write(key: number, value: number): Promise<void>;
  /** Returns false when the current value was not `from` (the op then definitely had no effect). */
  cas(key: number, from: number, to: number): Promise<boolean>;
  close(): Promise<void>;
}

export const RegisterOptionsSchema = z
  .object({
    /** Operations on each key (all processes together) before the key window moves on. */
    opsPerKey: z.number().int().min(1).max(100_000).default(120),
    /** Keys worked on at once. */
    keysInFlight: z.number().int().min(1).max(10_000).default(4),
    /** Share of reads and of writes; the rest is compare-and-set. */
    readShare: z.number().min(0).max(1).default(0.5),
    writeShare: z.number().min(0).max(1).default(0.3),
  })
  .strict()
  .refine((o) => o.readShare + o.writeShare <= 1, { message: "readShare + writeShare must be at most 1" });

export type RegisterOptions = z.output<typeof RegisterOptionsSchema>;
export type RegisterGeneratorOptions = z.input<typeof RegisterOptionsSchema> &
  Pick<RegisterOptions, "opsPerKey" | "keysInFlight">;

/**
 * One process's register ops. Everything it hands out depends only on its slot and its own
 * random stream: the key window moves after this process's share of `opsPerKey` (processes run at
 * about the same pace, so they meet on the same keys), written values are unique across processes
 * (slot + k * count), and a compare-and-set compares against one of this process's own recent
 * writes to the key (often still current, sometimes overwritten: both outcomes occur).
 */
export class RegisterGenerator {
  private issued = 0;
  private written = 0;
  /** This process's last few writes per key, dropped as keys retire. */
  private readonly recent = new Map<number, number[]>();
  private readonly options: RegisterOptions;

  constructor(
    private readonly random: Random,
    options: RegisterGeneratorOptions,
    private readonly slot: ProcessSlot = { index: 0, count: 1 },
  ) {
    this.options = RegisterOptionsSchema.parse(options);
  }

  private remember(key: number, value: number): void {
    const list = this.recent.get(key) ?? [];
    list.push(value);
    if (list.length > 3) list.shift();
    this.recent.set(key, list);
    // Keys below the window are retired: forget them so memory stays flat on long runs.
    if (this.recent.size > this.options.keysInFlight * 2) {
      for (const k of this.recent.keys()) if (k < this.window()) this.recent.delete(k);
    }
  }

  private window(): number {
    return Math.floor((this.issued * this.slot.count) / this.options.opsPerKey);
  }

  next(): RegisterOp {
    const { keysInFlight, readShare, writeShare } = this.options;
    // A window of keys slides forward as operations are issued; each op picks one key in it.
    const key = this.window() + this.random.int(keysInFlight);
    this.issued++;
    const r = this.random.float();
    if (r < readShare) return { f: "read", key, value: null };
    const value = this.slot.index + 1 + this.written++ * this.slot.count;
    const recent = this.recent.get(key) ?? [];
    // A key this process never wrote gets a plain write.
    if (r < readShare + writeShare || recent.length === 0) {
      this.remember(key, value);
      return { f: "write", key, value };
    }
    const from = recent[recent.length - 1 - this.random.int(Math.min(recent.length, 3))]!;
    this.remember(key, value);
    return { f: "cas", key, value: [from, value] };
  }
}

/** Applies one op; returns the completion value. Throws on failure (see outcome.ts for the classification). */
export async function applyRegisterOp(client: RegisterClient, op: RegisterOp): Promise<Applied> {
  switch (op.f) {
    case "read":
      return { ok: true, value: await client.read(op.key) };
    case "write":
      await client.write(op.key, op.value);
      return { ok: true, value: op.value };
    case "cas": {
      const swapped = await client.cas(op.key, op.value[0], op.value[1]);
      return swapped ? { ok: true, value: op.value } : { ok: false, value: op.value, error: "cas-mismatch" };
    }
  }
}

export function registerWorkload(options: RegisterGeneratorOptions): Workload<RegisterClient, RegisterOp> {
  return {
    name: "register",
    forProcess: (slot, random) => {
      const g = new RegisterGenerator(random, options, slot);
      return () => g.next();
    },
    apply: applyRegisterOp,
    readOnly: (op) => op.f === "read",
  };
}

export const register: WorkloadDefinition<RegisterOptions> = {
  name: "register",
  description:
    "reads, writes and compare-and-set of registers on independent keys, every written value unique",
  options: RegisterOptionsSchema,
  create: (o) => registerWorkload(o) as Workload<unknown, RegisterOp>,
};
