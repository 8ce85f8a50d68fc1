import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkBank } from "../../checkers/bank.ts";
import { HistoryParseError } from "../../checkers/history/errors.ts";
import type { History } from "../../checkers/history/op.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { atomicHistory, scheduleArb } from "./atomic-history.ts";

const DIR = "test/fixtures/bank";
const load = (name: string) => parseHistory(readFileSync(`${DIR}/${name}`, "utf8"), { fileName: name });

describe("bank checker agrees with elle-cli's stored results (Jepsen's bank checker)", () => {
  it("bank-neg: valid, 1 read, 0 errors", () => {
    const r = checkBank(load("elle-cli-bank-neg.edn"));
    expect(r).toMatchObject({ valid: true, readCount: 1, errorCount: 0, total: 30 });
  });

  it("bank (first 28 ops): valid", () => {
    const r = checkBank(load("elle-cli-bank-first28.json"));
    expect(r).toMatchObject({ valid: true, errorCount: 0, total: 100 });
  });

  it("bank-negative-balances: one negative-value, [-1], the read at index 3", () => {
    const r = checkBank(load("elle-cli-bank-negative-balances.json"));
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(["negative-value"]);
    expect(r.anomalies).toHaveLength(1);
    expect(r.anomalies[0]).toMatchObject({ type: "negative-value", negative: [-1], op: { index: 3 } });
    // Allowed, it is no anomaly; the total (100 = 101 - 1) still holds.
    expect(checkBank(load("elle-cli-bank-negative-balances.json"), { negativeBalances: true }).valid).toBe(
      true,
    );
  });

  it("bank-tidb excerpt: wrong-total, each error names its read and sum within elle-cli's 97..267", () => {
    const r = checkBank(load("elle-cli-bank-tidb-excerpt.edn"));
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(["wrong-total"]);
    expect(r.total).toBe(100);
    expect(r.anomalies).toHaveLength(13);
    for (const a of r.anomalies) {
      expect(a.total as number).toBeGreaterThanOrEqual(97);
      expect(a.total as number).toBeLessThanOrEqual(267);
      expect(a.ops).toEqual([a.op]);
    }
    expect(r.anomalies[0]).toMatchObject({ total: 105, expected: 100, op: { index: 288 } });
    expect(r.anomalies[0]!.explanation).toMatch(/sums to 105, not the bank's total of 100/);
  });
});

describe("bank checker: total and bad input", () => {
  const jsonl = (...ops: object[]) => ops.map((o) => JSON.stringify(o)).join("\n");
  const read = (p: number, value: object | null) => [
    { type: "invoke", process: p, f: "read", value: null },
    { type: "ok", process: p, f: "read", value },
  ];

  it("--total beats the first read; a total recorded on an op beats the first read", () => {
    const h = parseHistory(jsonl(...read(0, { a: 5, b: 5 }), ...read(0, { a: 4, b: 6 })));
    expect(checkBank(h).valid).toBe(true);
    const r = checkBank(h, { total: 12 });
    expect(r).toMatchObject({ valid: false, totalFrom: "option", errorCount: 2 });
    const withTotal = parseHistory(
      jsonl(
        { type: "invoke", process: 0, f: "read", value: null, total: 12 },
        ...read(0, { a: 5, b: 5 }).slice(1),
      ),
    );
    expect(checkBank(withTotal)).toMatchObject({ valid: false, total: 12 });
  });

  it("a history with no total and nothing to infer it from is a clear error", () => {
    const h = parseHistory(
      jsonl(
        { type: "invoke", process: 0, f: "transfer", value: { from: "a", to: "b", amount: 1 } },
        { type: "ok", process: 0, f: "transfer", value: { from: "a", to: "b", amount: 1 } },
      ),
    );
    expect(() => checkBank(h)).toThrow(/no total to check reads against: pass --total N/);
    expect(checkBank(h, { total: 10 }).valid).toBe(true);
  });

  it("malformed reads and transfers name the line", () => {
    const badRead = parseHistory(
      jsonl(...read(0, null).slice(0, 1), { type: "ok", process: 0, f: "read", value: [1, 2] }),
    );
    expect(() => checkBank(badRead)).toThrow(HistoryParseError);
    expect(() => checkBank(badRead)).toThrow(/^line 2: bank checker: an ok "read" needs a map/);
    const badBalance = parseHistory(jsonl(...read(0, { a: "ten" })));
    expect(() => checkBank(badBalance)).toThrow(/line 2: .*balance of account "a" must be a number/);
    const badTransfer = parseHistory(
      jsonl({ type: "invoke", process: 0, f: "transfer", value: { from: "a" } }),
    );
    expect(() => checkBank(badTransfer, { total: 1 })).toThrow(
      /line 1: bank checker: a "transfer" needs \{from, to, amount\}/,
    );
  });

  it("nil balances and unknown accounts are Jepsen's nil-balance and unexpected-key", () => {
    const h = parseHistory(
      jsonl(...read(0, { a: 5, b: 5 }), ...read(0, { a: 10, b: null }), ...read(0, { a: 5, c: 5 })),
    );
    expect(checkBank(h).anomalies.map((a) => a.type)).toEqual(["nil-balance", "unexpected-key"]);
  });
});

const ACCOUNTS = ["a", "b", "c", "d"];
/** Transfers and reads of all balances, each atomic; transfers that would overdraw fail. */
function bankHistory(choices: number[]): History {
  return atomicHistory(
    { a: 25, b: 25, c: 25, d: 25 } as Record<string, number>,
    (_s, c) => {
      if (c % 3 === 0) return { f: "read", value: null, apply: (s) => ({ ...s }) };
      const t = { from: ACCOUNTS[c % 4]!, to: ACCOUNTS[(c >> 2) % 4]!, amount: (c % 9) + 1 };
      return {
        f: "transfer",
        value: t,
        apply: (s) => {
          if (s[t.from]! >= t.amount) {
            s[t.from]! -= t.amount;
            s[t.to]! += t.amount;
          }
          return t;
        },
      };
    },
    choices,
  );
}

describe("bank checker properties", () => {
  it("a history of atomic transfers and reads is valid", () => {
    fc.assert(
      fc.property(scheduleArb, (choices) => {
        expect(checkBank(bankHistory(choices), { total: 100 }).valid).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("a read showing a transfer half done (a wrong total) is caught, naming that read", () => {
    fc.assert(
      fc.property(scheduleArb, fc.nat(), fc.integer({ min: 1, max: 9 }), (choices, pick, amount) => {
        const h = bankHistory(choices);
        const reads = h.filter((o) => o.type === "ok" && o.f === "read");
        fc.pre(reads.length > 0);
        const victim = reads[pick % reads.length]!;
        const balances = victim.value as Record<string, number>;
        victim.value = { ...balances, a: balances.a! + amount }; // money credited, never debited
        const r = checkBank(h, { total: 100 });
        expect(r.valid).toBe(false);
        expect(r.anomalies.map((a) => a.type)).toEqual(["wrong-total"]);
        expect(r.anomalies[0]!.op).toBe(victim);
      }),
      { numRuns: 200 },
    );
  });
});
