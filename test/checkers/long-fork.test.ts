import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { History, Op } from "../../checkers/history/op.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { checkLongFork } from "../../checkers/long-fork.ts";
import { atomicHistory, scheduleArb } from "./atomic-history.ts";

const DIR = "test/fixtures/long-fork";
const load = (name: string) => parseHistory(readFileSync(`${DIR}/${name}`, "utf8"), { fileName: name });

describe("long-fork checker agrees with Jepsen's test and elle-cli", () => {
  for (const file of ["jepsen-long-fork-test.edn", "elle-cli-long-fork.edn"]) {
    it(`${file}: one fork between the two ok reads`, () => {
      const h = load(file);
      const oks = h.filter((o) => o.type === "ok");
      const r = checkLongFork(h);
      expect(r).toMatchObject({ valid: false, readsCount: 2, earlyReadCount: 0, lateReadCount: 0 });
      expect(r.anomalyTypes).toEqual(["long-fork"]);
      expect(r.anomalies).toHaveLength(1);
      expect(r.anomalies[0]!.reads).toEqual(oks);
      expect(r.anomalies[0]!.explanation).toMatch(/opposite orders/);
    });
  }
});

const txn = (process: number, type: Op["type"], value: unknown[][], f = "txn"): Omit<Op, "index"> => ({
  process,
  type,
  f,
  value,
});
const hist = (...ops: Omit<Op, "index">[]): History => ops.map((o, index) => ({ index, ...o }) as Op);

describe("long-fork checker semantics", () => {
  it("reads ordered by inclusion are fine; early and late reads are counted", () => {
    const r = checkLongFork(
      hist(
        txn(0, "invoke", [["w", 1, 1]]),
        txn(0, "ok", [["w", 1, 1]]),
        txn(1, "invoke", [
          ["r", 1, null],
          ["r", 2, null],
        ]),
        txn(1, "ok", [
          ["r", 1, null],
          ["r", 2, null],
        ]),
        txn(1, "invoke", [
          ["r", 1, null],
          ["r", 2, null],
        ]),
        txn(1, "ok", [
          ["r", 1, 1],
          ["r", 2, null],
        ]),
        txn(1, "invoke", [
          ["r", 2, null],
          ["r", 1, null],
        ]),
        txn(1, "ok", [
          ["r", 2, 1],
          ["r", 1, 1],
        ]),
      ),
    );
    expect(r).toMatchObject({ valid: true, readsCount: 3, earlyReadCount: 1, lateReadCount: 1 });
  });

  it("a fork between overlapping groups is found on the keys they share", () => {
    const r = checkLongFork(
      hist(
        txn(0, "ok", [
          ["r", 1, 1],
          ["r", 2, null],
          ["r", 3, null],
        ]),
        txn(1, "ok", [
          ["r", 2, 1],
          ["r", 1, null],
        ]),
      ),
    );
    expect(r.valid).toBe(false);
    expect(r.anomalies[0]!.keys).toEqual([1, 2]);
  });

  it("two writes to one key: unknown, as Jepsen says", () => {
    const r = checkLongFork(hist(txn(0, "invoke", [["w", 1, 1]]), txn(1, "invoke", [["w", 1, 2]])));
    expect(r.valid).toBe("unknown");
    expect(r.reason).toMatch(/key 1 is written twice/);
  });

  it("a malformed micro-op names the line", () => {
    const h = parseHistory('{"type":"invoke","process":0,"f":"txn","value":[["r",1,null],["x",2]]}\n');
    expect(() => checkLongFork(h)).toThrow(
      /^line 1: long-fork checker: micro-op 2 of the transaction is \["x",2\]/,
    );
  });
});

/** Inserts of fresh keys and reads of groups of 3 keys, each atomic: never a fork. */
function longForkHistory(choices: number[]): History {
  let next = 0;
  return atomicHistory(
    new Map<number, number>(),
    (_s, c) => {
      if (c % 2 === 0) {
        const k = next++;
        return {
          f: "txn",
          value: [["w", k, 1]],
          apply: (s) => {
            s.set(k, 1);
            return [["w", k, 1]];
          },
        };
      }
      const base = 3 * Math.floor((c % Math.max(1, next)) / 3);
      const keys = [base, base + 1, base + 2];
      return {
        f: "txn",
        value: keys.map((k) => ["r", k, null]),
        apply: (s) => keys.map((k) => ["r", k, s.get(k) ?? null]),
      };
    },
    choices,
    4,
  );
}

describe("long-fork checker properties", () => {
  it("a history of atomic inserts and group reads is valid", () => {
    fc.assert(
      fc.property(scheduleArb, (choices) => {
        expect(checkLongFork(longForkHistory(choices)).valid).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("two reads that see two inserts in opposite orders are caught", () => {
    fc.assert(
      fc.property(scheduleArb, (choices) => {
        const h = longForkHistory(choices);
        const a = 10_000;
        const b = 10_001;
        const add = (o: Omit<Op, "index">) => h.push({ index: h.length, ...o } as Op);
        add(txn(90, "invoke", [["w", a, 1]]));
        add(txn(91, "invoke", [["w", b, 1]]));
        add(txn(90, "ok", [["w", a, 1]]));
        add(txn(91, "ok", [["w", b, 1]]));
        add(
          txn(92, "ok", [
            ["r", a, 1],
            ["r", b, null],
          ]),
        );
        add(
          txn(93, "ok", [
            ["r", b, 1],
            ["r", a, null],
          ]),
        );
        const r = checkLongFork(h);
        expect(r.valid).toBe(false);
        expect(r.anomalies.map((x) => x.keys)).toEqual([[a, b]]);
      }),
      { numRuns: 100 },
    );
  });
});
