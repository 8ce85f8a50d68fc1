/**
 * Register workload on independent keys: reads, writes and compare-and-set, every written value
 * unique. Keys retire after `opsPerKey` operations so each key's history stays small enough for
 * the linearizability search, while `keysInFlight` keys are worked on at once.
 */
import type { Random } from "./random.ts";
import type { Applied, Workload } from "./workload.ts";

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
  /** The last few values handed out per key (for CAS), dropped as keys retire. */
  private readonly recent = new Map<number, number[]>();
  private readonly readShare: number;
  private readonly writeShare: number;

  constructor(
    private readonly random: Random,
    private readonly options: RegisterGeneratorOptions,
  ) {
    this.readShare = options.readShare ?? 0.5;
    this.writeShare = options.writeShare ?? 0.3;
  }

  private remember(key: number, value: number): void {
    const list = this.recent.get(key) ?? [];
    list.push(value);
    if (list.length > 3) list.shift();
    this.recent.set(key, list);
    // Keys below the window are retired: forget them so memory stays flat on long runs.
    const oldest = Math.floor(this.issued / this.options.opsPerKey);
    if (this.recent.size > this.options.keysInFlight * 2) {
      for (const k of this.recent.keys()) if (k < oldest) this.recent.delete(k);
    }
  }

  next(): RegisterOp {
    const { opsPerKey, keysInFlight } = this.options;
    // A window of keys slides forward as operations are issued; each op picks one key in it.
    const base = Math.floor(this.issued / opsPerKey);
    const key = base + this.random.int(keysInFlight);
    this.issued++;
    const r = this.random.float();
    if (r < this.readShare) return { f: "read", key, value: null };
    const value = this.nextValue++;
    const recent = this.recent.get(key) ?? [];
    // CAS from one of the last values handed out for this key: often current, sometimes stale, so
    // both outcomes occur. A key nobody wrote yet gets a plain write.
    if (r < this.readShare + this.writeShare || recent.length === 0) {
      this.remember(key, value);
      return { f: "write", key, value };
    }
    const from = recent[recent.length - 1 - this.random.int(Math.min(recent.length, 3))];
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

/** Reads have no effect on the store: an error on one can be recorded as a definite failure. */
export function registerOpHasEffect(op: RegisterOp): boolean {
  return op.f !== "read";
}

/** The register workload as the runner drives it: no final operations (the checkers judge the run). */
export function registerWorkload(
  random: Random,
  options: RegisterGeneratorOptions,
): Workload<RegisterClient, RegisterOp> {
  const generator = new RegisterGenerator(random, options);
  return {
    name: "register",
    next: () => generator.next(),
    apply: applyRegisterOp,
    hasEffect: registerOpHasEffect,
  };
}
