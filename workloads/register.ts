/**
 * Register workload on independent keys: reads, writes and compare-and-set, every written value
 * unique. Keys retire after `opsPerKey` operations so each key's history stays small enough for
 * the linearizability search, while `keysInFlight` keys are worked on at once.
 */
import type { Random } from "./random.ts";

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

export interface RegisterGeneratorOptions {
  opsPerKey: number;
  keysInFlight: number;
  /** Share of reads, writes and cas; the rest is cas. */
  readShare?: number;
  writeShare?: number;
}

export class RegisterGenerator {
  private issued = 0;
  private nextValue = 1;
  private readonly readShare: number;
  private readonly writeShare: number;

  constructor(
    private readonly random: Random,
    private readonly options: RegisterGeneratorOptions,
  ) {
    this.readShare = options.readShare ?? 0.5;
    this.writeShare = options.writeShare ?? 0.3;
  }

  next(): RegisterOp {
    const { opsPerKey, keysInFlight } = this.options;
    // A window of keys slides forward as operations are issued; each op picks one key in it.
    const base = Math.floor(this.issued / opsPerKey);
    const key = base + this.random.int(keysInFlight);
    this.issued++;
    const r = this.random.float();
    if (r < this.readShare) return { f: "read", key, value: null };
    if (r < this.readShare + this.writeShare) return { f: "write", key, value: this.nextValue++ };
    // CAS from a recently written value: often right, sometimes stale, so both outcomes occur.
    const from = Math.max(1, this.nextValue - 1 - this.random.int(4));
    return { f: "cas", key, value: [from, this.nextValue++] };
  }
}

/** Applies one op; returns the completion value. Throws on failure (see outcome.ts for the classification). */
export async function applyRegisterOp(
  client: RegisterClient,
  op: RegisterOp,
): Promise<{ ok: true; value: unknown } | { ok: false; value: unknown; error: string }> {
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

/** Reads have no effect on the store: an error on one can be recorded as a definite failure. */
export function registerOpHasEffect(op: RegisterOp): boolean {
  return op.f !== "read";
}
