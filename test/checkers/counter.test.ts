import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkCounter } from "../../checkers/counter.ts";
import type { History, Op } from "../../checkers/history/op.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { atomicHistory, scheduleArb } from "./atomic-history.ts";

const DIR = "test/fixtures/counter";
const load = (name: string) => parseHistory(readFileSync(`${DIR}/${name}`, "utf8"), { fileName: name });

describe("counter checker agrees with Jepsen's own tests and elle-cli", () => {
  const cases: [string, boolean, number[][], number[][]][] = [
    ["jepsen-initial-read.edn", true, [[0, 0, 0]], []],
    ["jepsen-ignore-failed.edn", true, [[0, 0, 0]], []],
    ["jepsen-initial-invalid-read.edn", false, [[0, 1, 0]], [[0, 1, 0]]],
    [
      "jepsen-interleaved.edn",
      false,
      [
        [0, 6, 15],
        [0, 0, 15],
        [0, 3, 15],
        [0, 100, 15],
        [0, 15, 15],
      ],
      [[0, 100, 15]],
    ],
    [
      "jepsen-rolling.edn",
      false,
      [
        [0, 0, 1],
        [0, 3, 3],
        [1, 5, 3],
      ],
      [[1, 5, 3]],
    ],
    ["elle-cli-counter-first20.json", true, [], []],
  ];
  for (const [file, valid, reads, errors] of cases) {
    it(`${file}: ${valid ? "valid" : "invalid"}, reads and errors as Jepsen's [lower value upper]`, () => {
      const r = checkCounter(load(file));
      expect(r.valid).toBe(valid);
      expect(r.reads).toEqual(reads);
      expect(r.errors).toEqual(errors);
      expect(r.anomalyTypes).toEqual(valid ? [] : ["counter-out-of-range"]);
      for (const a of r.anomalies) {
        expect(a).toMatchObject({ type: "counter-out-of-range" });
        expect(a.explanation).toMatch(/allowed: -?\d+\.\.-?\d+/);
      }
    });
  }

  it("names the read and its bounds", () => {
    const a = checkCounter(load("jepsen-rolling.edn")).anomalies[0]!;
    expect(a).toMatchObject({ lower: 1, value: 5, upper: 3, op: { line: 11 } });
  });
});

describe("counter checker semantics", () => {
  const h = (...ops: [number, Op["type"], string, unknown][]): History =>
    ops.map(([process, type, f, value], index) => ({ index, process, type, f, value }));

  it("an info add may or may not have happened: both reads are fine", () => {
    const hist = h(
      [0, "invoke", "add", 5],
      [0, "info", "add", 5],
      [1, "invoke", "read", null],
      [1, "ok", "read", 5],
    );
    expect(checkCounter(hist).valid).toBe(true);
    hist[3]!.value = 0;
    expect(checkCounter(hist).valid).toBe(true);
  });

  it("decrements lower the lower bound at invoke and the upper bound once acknowledged", () => {
    const hist = h(
      [0, "invoke", "add", 10],
      [0, "ok", "add", 10],
      [0, "invoke", "add", -3],
      [1, "invoke", "read", null],
      [1, "ok", "read", 10],
      [0, "ok", "add", -3],
      [1, "invoke", "read", null],
      [1, "ok", "read", 10],
    );
    const r = checkCounter(hist);
    expect(r.reads).toEqual([
      [7, 10, 10],
      [7, 10, 7],
    ]);
    expect(r.valid).toBe(false);
  });

  it("a decrement invoked while the read runs may be seen by it", () => {
    const hist = h(
      [0, "invoke", "add", 10],
      [0, "ok", "add", 10],
      [1, "invoke", "read", null],
      [0, "invoke", "add", -3],
      [0, "ok", "add", -3],
      [1, "ok", "read", 7],
    );
    const r = checkCounter(hist);
    expect(r.reads).toEqual([[7, 7, 10]]);
    expect(r.valid).toBe(true);
    // ... and so may it not: the decrement was acknowledged only after the read began.
    hist[5]!.value = 10;
    expect(checkCounter(hist).valid).toBe(true);
    hist[5]!.value = 6;
    expect(checkCounter(hist).valid).toBe(false);
  });

  it("counters on different keys are independent", () => {
    const hist = h(
      [0, "invoke", "add", 1],
      [0, "ok", "add", 1],
      [1, "invoke", "read", null],
      [1, "ok", "read", 0],
    );
    hist[2]!.key = "b";
    hist[3]!.key = "b";
    hist[0]!.key = "a";
    hist[1]!.key = "a";
    expect(checkCounter(hist).valid).toBe(true);
  });

  it("bad input names the line", () => {
    const bad = parseHistory(
      '{"type":"invoke","process":0,"f":"add","value":"one"}\n{"type":"ok","process":0,"f":"add","value":"one"}\n',
    );
    expect(() => checkCounter(bad)).toThrow(/line 1: counter checker: "add" needs a number/);
    const badRead = parseHistory(
      '{"type":"invoke","process":0,"f":"read","value":null}\n{"type":"ok","process":0,"f":"read","value":[1]}\n',
    );
    expect(() => checkCounter(badRead)).toThrow(/line 2: .*needs the counter's value/);
  });
});

/**
 * A counter history where each add and read takes effect atomically: always within bounds.
 * With `decrements`, some adds are negative.
 */
function counterHistory(choices: number[], decrements = false): History {
  return atomicHistory(
    { value: 0 },
    (_s, c) => {
      if (c % 3 === 0) return { f: "read", value: null, apply: (s) => s.value };
      const d = decrements && c % 5 === 0 ? -((c % 4) + 1) : (c % 7) + 1;
      return {
        f: "add",
        value: d,
        apply: (s) => {
          s.value += d;
          return d;
        },
      };
    },
    choices,
  );
}

describe("counter checker properties", () => {
  it("a history of atomic adds and reads is valid", () => {
    fc.assert(
      fc.property(scheduleArb, (choices) => {
        expect(checkCounter(counterHistory(choices)).valid).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("with decrements too, a history of atomic adds and reads is valid", () => {
    fc.assert(
      fc.property(scheduleArb, (choices) => {
        expect(checkCounter(counterHistory(choices, true)).valid).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("a final read that misses an acknowledged increment is caught", () => {
    fc.assert(
      fc.property(scheduleArb, (choices) => {
        const h = counterHistory(choices);
        const acked = h.filter((o) => o.f === "add" && o.type === "ok").map((o) => o.value as number);
        fc.pre(acked.length > 0);
        const okSum = acked.reduce((a, b) => a + b, 0);
        const p = 1000;
        h.push({ index: h.length, type: "invoke", process: p, f: "read", value: null });
        // Pending adds may still land; give them every chance: the read completes last.
        h.push({ index: h.length, type: "ok", process: p, f: "read", value: okSum - acked[0]! });
        // Only a read that begins after every acknowledged add completed is bound by all of them.
        const r = checkCounter(h);
        expect(r.valid).toBe(false);
        expect(r.anomalies.at(-1)).toMatchObject({ type: "counter-out-of-range", value: okSum - acked[0]! });
      }),
      { numRuns: 200 },
    );
  });
});
