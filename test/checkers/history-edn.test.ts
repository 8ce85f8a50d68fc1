import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toEdn } from "../../checkers/history/edn.ts";
import type { History } from "../../checkers/history/op.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { Choices, generateHistory, REF_TYPES } from "./linearizability-gen.ts";

const strip = (h: History) => h.map(({ line: _line, ...rest }) => rest);

describe("EDN round trip", () => {
  it("toEdn then parseHistory gives back the same ops, for every model's histories", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...REF_TYPES),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 30 }),
        fc.boolean(),
        fc.boolean(),
        (ref, xs, ops, withTime, vector) => {
          const h = generateHistory(ref, new Choices(xs), { ops, withTime, crashes: true });
          const back = parseHistory(toEdn(h, { vector }), { fileName: "h.edn" });
          expect(strip(back)).toEqual(strip(h));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps strings that are not keywords, nested maps and nemesis ops", () => {
    const h: History = [
      { index: 0, type: "invoke", process: 0, f: "write", value: 'has space "quoted"\n' },
      {
        index: 1,
        type: "info",
        process: "nemesis",
        f: "partition",
        value: { isolate: ["eu-west"], "odd key": 1 },
      },
      { index: 2, type: "ok", process: 0, f: "write", value: 'has space "quoted"\n', error: "x" },
    ];
    expect(strip(parseHistory(toEdn(h)))).toEqual(h);
  });
});
