/**
 * Bank workload (Jepsen's bank): a fixed set of accounts holds a fixed total; clients `transfer`
 * `{from, to, amount}` between two accounts (refused, a definite fail, when `from` lacks the funds)
 * and `read` every balance at once (`{account: balance}`). Under snapshot isolation or stronger
 * every read sums to the total; checkers/bank.ts judges that (and negative balances).
 *
 * The accounts and their opening balances are fixed here, not options, because a store creates
 * them once before any client starts (its schema) and the checker is told the total.
 */
import { z } from "zod";
import { IsolationSchema, type IsolationLevel } from "./isolation.ts";
import type { Random } from "./random.ts";
import type { Applied, Workload, WorkloadDefinition } from "./workload.ts";

export const BANK_ACCOUNTS = 8;
export const BANK_OPENING_BALANCE = 10;
/** What every read must sum to (`total` for the bank checker). */
export const BANK_TOTAL = BANK_ACCOUNTS * BANK_OPENING_BALANCE;

export interface Transfer {
  from: number;
  to: number;
  amount: number;
}

export type BankOp = { f: "transfer"; value: Transfer } | { f: "read"; value: null };

export interface BankReadOptions {
  isolation: IsolationLevel;
  /** One statement per account instead of one for all (shows READ COMMITTED's moving snapshot). */
  splitReads: boolean;
}

/** What a store's client must do for this workload. */
export interface BankClient {
  /** Moves `amount` in one transaction; returns false (rolled back) when `from` lacks the funds. */
  transfer(t: Transfer, isolation: IsolationLevel): Promise<boolean>;
  /** Every account's balance, read in one transaction. */
  read(options: BankReadOptions): Promise<Record<number, number>>;
}

export const BankOptionsSchema = z
  .object({
    isolation: IsolationSchema.default("serializable"),
    /** Read each account in its own statement (within one transaction). */
    splitReads: z.boolean().default(false),
    /** Transfers move 1 .. maxTransfer. */
    maxTransfer: z.number().int().min(1).max(1_000_000).default(5),
    /** Share of reads; the rest are transfers. */
    readShare: z.number().min(0).max(1).default(0.5),
  })
  .strict();

export type BankOptions = z.output<typeof BankOptionsSchema>;

/** One process's ops, drawn only from its own random stream. */
export function bankOps(random: Random, options: BankOptions): () => BankOp {
  return () => {
    if (random.float() < options.readShare) return { f: "read", value: null };
    const from = random.int(BANK_ACCOUNTS);
    // A different account: draw among the other BANK_ACCOUNTS - 1 and skip `from`.
    const other = random.int(BANK_ACCOUNTS - 1);
    const to = other >= from ? other + 1 : other;
    return { f: "transfer", value: { from, to, amount: 1 + random.int(options.maxTransfer) } };
  };
}

export function bankWorkload(input: z.input<typeof BankOptionsSchema>): Workload<BankClient, BankOp> {
  const options = BankOptionsSchema.parse(input);
  return {
    name: "bank",
    forProcess: (_slot, random) => bankOps(random, options),
    apply: async (client, op): Promise<Applied> => {
      if (op.f === "read") {
        return {
          ok: true,
          value: await client.read({ isolation: options.isolation, splitReads: options.splitReads }),
        };
      }
      return (await client.transfer(op.value, options.isolation))
        ? { ok: true, value: op.value }
        : { ok: false, value: op.value, error: "insufficient-funds" };
    },
    readOnly: (op) => op.f === "read",
  };
}

export const bank: WorkloadDefinition<BankOptions> = {
  name: "bank",
  description: `transfers between ${BANK_ACCOUNTS} accounts holding a fixed total, and reads of every balance (Jepsen's bank)`,
  options: BankOptionsSchema,
  create: (o) => bankWorkload(o) as Workload<unknown, BankOp>,
};
