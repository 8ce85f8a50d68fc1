/**
 * Jepsen's bank on one PostgreSQL primary (20 s each): at SERIALIZABLE every read of all balances
 * sums to the total (pg-bank, a positive control); at READ COMMITTED with one statement per
 * account, reads catch transfers half done: wrong totals (pg-bank-read-committed, negative).
 */
import { describe, expect, it } from "vitest";
import { NEMESIS } from "../../checkers/history/op.ts";
import { BANK_ACCOUNTS, BANK_TOTAL } from "../../workloads/bank.ts";
import { runScenario } from "../support/run-scenario.ts";

const TIME_LIMIT_S = 20;

describe("PostgreSQL bank", () => {
  it("pg-bank: every read sums to the total at SERIALIZABLE", async () => {
    const { outcome, history, cleanup } = await runScenario("pg-bank", { timeLimitS: TIME_LIMIT_S });
    try {
      const client = history.filter((o) => o.process !== NEMESIS);
      const reads = client.filter((o) => o.f === "read" && o.type === "ok");
      const transfers = client.filter((o) => o.f === "transfer" && o.type === "ok");
      expect(reads.length).toBeGreaterThan(100);
      expect(transfers.length).toBeGreaterThan(100);
      // Jepsen's shapes: a read is a map of every account to its balance.
      const balances = reads[0]!.value as Record<string, number>;
      expect(Object.keys(balances).length).toBe(BANK_ACCOUNTS);
      expect(Object.values(balances).reduce((a, b) => a + b, 0)).toBe(BANK_TOTAL);
      const bank = outcome.results!.checkers.bank!;
      expect(bank.valid, JSON.stringify(bank.anomalies.slice(0, 2))).toBe(true);
      expect(outcome.results!.valid).toBe(true);
    } finally {
      cleanup();
    }
  }, 180_000);

  it("pg-bank-read-committed: split reads see wrong totals", async () => {
    const { outcome, cleanup } = await runScenario("pg-bank-read-committed", { timeLimitS: TIME_LIMIT_S });
    try {
      const r = outcome.results!;
      expect(r.valid).toBe(false);
      expect(r.anomalyTypes).toContain("wrong-total");
      const wrong = r.checkers.bank!.anomalies.filter((a) => a.type === "wrong-total");
      expect(wrong.length).toBeGreaterThan(0);
    } finally {
      cleanup();
    }
  }, 180_000);
});
