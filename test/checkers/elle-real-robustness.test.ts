/**
 * The shapes real Jepsen histories come in must not crash the Elle checkers: :time and sparse
 * :index, nemesis ops with odd values, :error as keyword/vector/map, :info txns with partial
 * reads, keyword/string/integer keys, failed writes, extra fields, record tags. Malformed input
 * must fail with an error that names its line.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Checker } from "../../checkers/checker.ts";
import { type ElleResult, elleListAppendChecker, elleRwRegisterChecker } from "../../checkers/elle/index.ts";
import { HistoryParseError, parseHistory } from "../../checkers/history/parse.ts";

const DIR = join(import.meta.dirname, "..", "fixtures", "elle-real", "elle");
const text = (f: string) => readFileSync(join(DIR, f), "utf8");

async function run(checker: Checker, edn: string, model = "strict-serializable", fileName = "h.edn") {
  const h = parseHistory(edn, { fileName });
  return (await checker.check(h, { consistencyModel: model })) as ElleResult;
}

describe("elle on Jepsen-shaped EDN", () => {
  it("list-append: keyword/string/integer keys, nemesis ops, :error values, info partial reads, tags: valid", async () => {
    const r = await run(elleListAppendChecker, text("robust-list-append.edn"));
    expect(r.anomalyTypes).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.stats).toMatchObject({ txns: 5, ok: 2, info: 1, fail: 2 });
  });

  it("the same history with the failed append of x = 2 read back: G1a, at the read's line", async () => {
    const bad = text("robust-list-append.edn").replace(
      '[:r :x [1]] [:r "y" []] [:r 3 [2]]',
      '[:r :x [1 2]] [:r "y" []] [:r 3 [2]]',
    );
    const r = await run(elleListAppendChecker, bad);
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toContain("G1a");
    const g1a = r.anomalies.find((a) => a.type === "G1a");
    expect(g1a?.explanation).toMatch(
      /line 16 read x = \[1 2\], which includes 2, appended by the transaction at line 18/,
    );
  });

  it("the info txn's partial reads are not trusted, but its append may have happened", async () => {
    // Process 3 read 3 = [2]: process 2's append, whose txn crashed (info). That is fine; reading
    // the crashed txn's read of x = [1] would have been too, but we ignore it either way.
    const r = await run(elleListAppendChecker, text("robust-list-append.edn"), "serializable");
    expect(r.valid).toBe(true);
  });

  it("rw-register: keyword/string/integer keys, failed and crashed writes, nemesis ops: valid", async () => {
    const r = await run(elleRwRegisterChecker, text("robust-rw-register.edn"));
    expect(r.anomalyTypes).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it("rw-register: reading the failed write is G1a", async () => {
    const bad = text("robust-rw-register.edn").replace("[:r 7 2]", "[:r 7 1]");
    const r = await run(elleRwRegisterChecker, bad);
    expect(r.anomalyTypes).toContain("G1a");
  });
});

describe("malformed transactions name their line", () => {
  const op = (i: number, type: string, value: string, process = 0) =>
    `{:index ${i}, :type :${type}, :process ${process}, :f :txn, :value ${value}}`;
  const cases: [string, Checker, string, RegExp][] = [
    [
      "an unknown micro-op",
      elleListAppendChecker,
      [op(0, "invoke", "[[:incr :x 1]]"), op(1, "ok", "[[:incr :x 1]]")].join("\n"),
      /^h\.edn:2: micro-op 1 has unknown function "incr"/,
    ],
    [
      "a list-append read that is not a list",
      elleListAppendChecker,
      [op(0, "invoke", "[[:r :x nil]]"), op(1, "ok", "[[:r :x 5]]")].join("\n"),
      /^h\.edn:2: micro-op 1 reads key x as 5; list-append reads must be lists/,
    ],
    [
      "an rw-register read that is a list",
      elleRwRegisterChecker,
      [op(0, "invoke", "[[:r :x nil]]"), op(1, "ok", "[[:r :x [1]]]")].join("\n"),
      /^h\.edn:2: micro-op 1 reads key x as \[1\]; rw-register reads must be a single value/,
    ],
    [
      "an appended value that is a map",
      elleListAppendChecker,
      [op(0, "invoke", "[[:append :x {:a 1}]]"), op(1, "ok", "[[:append :x {:a 1}]]")].join("\n"),
      /^h\.edn:2: micro-op 1 appends \{"a":1\} to x/,
    ],
    [
      "the same value appended twice",
      elleListAppendChecker,
      [op(0, "ok", "[[:append :x 1]]"), op(1, "ok", "[[:append :x 1]]", 1)].join("\n"),
      /^h\.edn:2: value 1 is appended to key x more than once \(also at line 1\)/,
    ],
    [
      "a nil key",
      elleListAppendChecker,
      [op(0, "invoke", "[[:r nil nil]]"), op(1, "ok", "[[:r nil []]]")].join("\n"),
      /^h\.edn:2: micro-op 1 has key null; keys must be strings, numbers or lists of them/,
    ],
    [
      "a micro-op that is not a vector",
      elleRwRegisterChecker,
      [op(0, "invoke", "[:r :x 1]"), op(1, "ok", "[:r :x 1]")].join("\n"),
      /^h\.edn:2: micro-op 1 must be \[f, key, value\]/,
    ],
    [
      "a txn without a value",
      elleListAppendChecker,
      [op(0, "invoke", "[[:r :x nil]]"), "{:index 1, :type :ok, :process 0, :f :txn}"].join("\n"),
      /^h\.edn:2: transaction value must be a list of micro-ops, got null/,
    ],
    [
      "broken EDN",
      elleListAppendChecker,
      [
        op(0, "invoke", "[[:r :x nil]]"),
        "{:index 1, :type :ok, :process 0, :f :txn, :value [[:r :x [1]]",
      ].join("\n"),
      /^h\.edn:2: /,
    ],
    [
      "a completion with no invoke",
      elleListAppendChecker,
      [op(0, "invoke", "[[:r :x nil]]"), op(1, "ok", "[[:r :x []]]"), op(2, "ok", "[[:r :x []]]", 0)].join(
        "\n",
      ),
      /^h\.edn:3: "ok" completion of "txn" on process 0 has no invoke before it/,
    ],
  ];
  for (const [what, checker, edn, message] of cases) {
    it(what, async () => {
      let error: unknown;
      try {
        // Parse errors carry the file; checker errors carry the line, the CLI adds the file.
        await run(checker, edn);
      } catch (e) {
        error = e instanceof HistoryParseError && e.fileName === undefined ? e.inFile("h.edn") : e;
      }
      expect(error).toBeInstanceOf(HistoryParseError);
      expect((error as Error).message).toMatch(message);
    });
  }
});
