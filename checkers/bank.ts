/**
 * The bank checker, with Jepsen's semantics (jepsen.tests.bank/checker): clients `transfer`
 * `{from, to, amount}` between accounts and `read` every balance at once (a map account ->
 * balance). Under snapshot isolation or stronger, every ok read sums to the bank's fixed total.
 * Each ok read is judged alone, in Jepsen's order, and shows at most one of (Jepsen's words):
 * - `unexpected-key`: it names an account that is not one of the bank's;
 * - `nil-balance`: some account has no balance;
 * - `wrong-total`: the balances do not sum to the total;
 * - `negative-value`: some balance is below zero (unless negative balances are allowed).
 *
 * The total is, first found: `--total`; a numeric `total` field on any op of the history (a
 * workload may record it); else, as elle-cli does, the sum of the first ok read (the result says
 * which in `totalFrom`). The accounts are `accounts` from the options, or the first read's.
 * Without any of those there is nothing to judge reads against: a clear error.
 */
import type { CheckOptions, Checker } from "./checker.ts";
import { HistoryParseError } from "./history/errors.ts";
import type { History, Op } from "./history/op.ts";
import type { Anomaly, CheckerResult } from "./verdict.ts";

export type BankErrorType = "unexpected-key" | "nil-balance" | "wrong-total" | "negative-value";

export interface BankOptions {
  total?: number;
  negativeBalances?: boolean;
  accounts?: readonly (string | number)[];
}

const whereOf = (op: Op) => (op.line !== undefined ? `line ${op.line}` : `index ${op.index}`);

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** An ok read's balances; anything but a map of numbers (or nil) is malformed input. */
function balancesOf(op: Op): Record<string, number | null> {
  const v = op.value;
  if (!isRecord(v)) {
    throw new HistoryParseError(
      `bank checker: an ok "read" needs a map of account -> balance as its value, got ${JSON.stringify(v)}`,
      { line: op.line },
    );
  }
  for (const [k, b] of Object.entries(v)) {
    if (b !== null && (typeof b !== "number" || !Number.isFinite(b))) {
      throw new HistoryParseError(
        `bank checker: the balance of account ${JSON.stringify(k)} must be a number or nil, got ${JSON.stringify(b)}`,
        { line: op.line },
      );
    }
  }
  return v as Record<string, number | null>;
}

/** A transfer's value must be `{from, to, amount}`: checked on invokes (Jepsen fails may carry other values). */
function checkTransfer(op: Op): void {
  const v = op.value;
  const ok =
    isRecord(v) &&
    v.from !== undefined &&
    v.from !== null &&
    v.to !== undefined &&
    v.to !== null &&
    typeof v.amount === "number";
  if (!ok) {
    throw new HistoryParseError(
      `bank checker: a "transfer" needs {from, to, amount} as its value, got ${JSON.stringify(v)}`,
      { line: op.line },
    );
  }
}

function findTotal(history: History, options: BankOptions): { total: number; from: string } | undefined {
  if (options.total !== undefined) return { total: options.total, from: "option" };
  for (const op of history) {
    if (typeof op.total === "number") return { total: op.total, from: `history (${whereOf(op)})` };
  }
  const first = history.find((op) => op.type === "ok" && op.f === "read");
  if (!first) return undefined;
  const sum = Object.values(balancesOf(first)).reduce<number>((s, b) => s + (b ?? 0), 0);
  return { total: sum, from: `first read (${whereOf(first)})` };
}

export function checkBank(history: History, options: BankOptions = {}): CheckerResult {
  for (const op of history) if (op.f === "transfer" && op.type === "invoke") checkTransfer(op);
  const found = findTotal(history, options);
  if (!found) {
    throw new HistoryParseError(
      'bank checker: no total to check reads against: pass --total N, record a numeric "total" on an op, ' +
        "or include at least one ok read (its sum is taken as the total)",
    );
  }
  const { total, from: totalFrom } = found;
  const reads = history.filter((op) => op.type === "ok" && op.f === "read");
  const accounts = new Set(
    (options.accounts ?? (reads[0] ? Object.keys(balancesOf(reads[0])) : [])).map(String),
  );

  const anomalies: Anomaly[] = [];
  for (const op of reads) {
    const balances = balancesOf(op);
    const entries = Object.entries(balances);
    const unexpected = entries.map(([k]) => k).filter((k) => !accounts.has(k));
    const at = `The read at ${whereOf(op)}${typeof op.node === "string" ? ` (${op.node})` : ""}`;
    if (unexpected.length > 0) {
      anomalies.push({
        type: "unexpected-key",
        explanation: `${at} names account(s) ${unexpected.join(", ")}, which are not among the bank's (${[...accounts].join(", ")}).`,
        ops: [op],
        op,
        unexpected,
      });
      continue;
    }
    const nils = entries.filter(([, b]) => b === null).map(([k]) => k);
    if (nils.length > 0) {
      anomalies.push({
        type: "nil-balance",
        explanation: `${at} has no balance for account(s) ${nils.join(", ")}.`,
        ops: [op],
        op,
        nils,
      });
      continue;
    }
    const sum = entries.reduce((s, [, b]) => s + (b as number), 0);
    if (sum !== total) {
      anomalies.push({
        type: "wrong-total",
        explanation: `${at} sums to ${sum}, not the bank's total of ${total} (${sum > total ? "+" : ""}${sum - total}): the read saw a state no serial order of transfers produces.`,
        ops: [op],
        op,
        total: sum,
        expected: total,
      });
      continue;
    }
    const negative = entries.filter(([, b]) => (b as number) < 0);
    if (!options.negativeBalances && negative.length > 0) {
      anomalies.push({
        type: "negative-value",
        explanation: `${at} shows negative balance(s): ${negative.map(([k, b]) => `account ${k} = ${b}`).join(", ")}.`,
        ops: [op],
        op,
        negative: negative.map(([, b]) => b),
      });
    }
  }

  const order: BankErrorType[] = ["wrong-total", "negative-value", "nil-balance", "unexpected-key"];
  const anomalyTypes = order.filter((t) => anomalies.some((a) => a.type === t));
  const wrong = anomalies.filter((a) => a.type === "wrong-total");
  const byTotal = (pick: (a: number, b: number) => boolean) =>
    wrong.reduce<Anomaly | undefined>(
      (m, a) => (m === undefined || pick(a.total as number, m.total as number) ? a : m),
      undefined,
    );
  const lowest = byTotal((a, b) => a < b);
  const highest = byTotal((a, b) => a > b);
  return {
    valid: anomalies.length === 0,
    anomalyTypes,
    anomalies,
    total,
    totalFrom,
    readCount: reads.length,
    errorCount: anomalies.length,
    ...(anomalies[0] ? { firstError: anomalies[0] } : {}),
    ...(lowest && highest ? { lowestTotal: lowest.total, highestTotal: highest.total } : {}),
    stats: {
      reads: reads.length,
      transfers: history.filter((op) => op.f === "transfer" && op.type === "invoke").length,
      errors: anomalies.length,
      total,
    },
  };
}

export const bankChecker: Checker = {
  name: "bank",
  description:
    "Bank (Jepsen's bank): every read of all balances sums to the total (--total); no negative balances unless --negative-balances",
  check: (history, options: CheckOptions) =>
    checkBank(history, { total: options.total, negativeBalances: options.negativeBalances }),
};
