/**
 * The Elle checkers read a JSON history two ways: parseHistory into Op objects and then columns
 * (`check`), or straight from the bytes into columns (`checkText`, what the CLI uses). Both must
 * give the same result, anomalies, explanations and errors (file:line) included, on every
 * fixture, on generated histories (valid and full of anomalies) and on malformed lines.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateHistory } from "../../bench/elle-gen.ts";
import type { Checker, CheckOptions } from "../../checkers/checker.ts";
import { elleListAppendChecker, elleRwRegisterChecker } from "../../checkers/elle/index.ts";
import type { History } from "../../checkers/history/op.ts";
import { detectFormat, parseHistory } from "../../checkers/history/parse.ts";
import { runElle } from "../../checkers/elle/check.ts";
import { inferListAppend } from "../../checkers/elle/list-append.ts";
import { readTxnColumns, readTxnColumnsChunked } from "../../checkers/history/read-txn-columns.ts";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");

/** A result without its timings (which differ run to run), or the error's message. */
function normalize(r: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(r)) as { stats?: Record<string, unknown> };
  if (copy.stats) {
    for (const k of Object.keys(copy.stats)) if (k === "ms" || k.endsWith("Ms")) delete copy.stats[k];
  }
  return copy;
}

async function viaObjects(checker: Checker, text: string, file: string, o: CheckOptions) {
  try {
    return normalize(await checker.check(parseHistory(text, { fileName: file }), o));
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** As the CLI does: checkText, and the object path for a text it declines (bad input, EDN). */
let declined = 0;
async function viaColumns(checker: Checker, text: string, file: string, o: CheckOptions) {
  try {
    const r = await checker.checkText!(text, file, o);
    if (r === undefined) {
      declined++;
      return viaObjects(checker, text, file, o);
    }
    return normalize(r);
  } catch (e) {
    return { error: (e as Error).message };
  }
}

async function expectSame(checker: Checker, text: string, file: string, o: CheckOptions = {}) {
  const a = await viaObjects(checker, text, file, o);
  const b = await viaColumns(checker, text, file, o);
  expect(b).toEqual(a);
  return a;
}

const jsonl = (h: History) => h.map(({ line: _l, ...op }) => JSON.stringify(op)).join("\n") + "\n";
const jsonArray = (h: History) => `[\n${h.map(({ line: _l, ...op }) => JSON.stringify(op)).join(",\n")}\n]\n`;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const CHECKERS = [elleListAppendChecker, elleRwRegisterChecker];
const MODELS = ["strict-serializable", "snapshot-isolation", "read-committed"];

describe("Elle from columns read off the text = Elle from Op objects", () => {
  const all = files(FIXTURES).filter((f) => /\.(jsonl?|edn)$/.test(f));

  it("every JSON fixture, both checkers, as it is", async () => {
    let compared = 0;
    for (const file of all) {
      const text = readFileSync(file, "utf8");
      if (!["json", "jsonl"].includes(detectFormat(text, file))) continue;
      for (const checker of CHECKERS) {
        for (const model of MODELS) await expectSame(checker, text, file, { consistencyModel: model });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
  });

  it("every fixture's history written as JSONL and as a JSON array (EDN ones too)", async () => {
    let compared = 0;
    for (const file of all) {
      let h: History;
      try {
        h = parseHistory(readFileSync(file, "utf8"), { fileName: file });
      } catch {
        continue; // fixtures of bad input are covered below
      }
      declined = 0;
      for (const text of [jsonl(h), jsonArray(h)]) {
        for (const checker of CHECKERS) {
          for (const model of MODELS) await expectSame(checker, text, "h.json", { consistencyModel: model });
        }
      }
      // Well-formed JSON with transactions is always read into columns (the rest is left to check()).
      if (h.some((op) => op.f === "txn")) expect(declined, file).toBe(0);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });

  it("generated histories, valid and anomalous, with and without times", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          txns: fc.integer({ min: 1, max: 200 }),
          concurrency: fc.integer({ min: 1, max: 8 }),
          activeKeys: fc.integer({ min: 1, max: 5 }),
          appendsPerKey: fc.integer({ min: 1, max: 20 }),
          seed: fc.integer(),
          failRate: fc.constantFrom(0, 0.1, 0.3),
          infoRate: fc.constantFrom(0, 0.1),
          atomic: fc.boolean(),
          workload: fc.constantFrom("list-append" as const, "rw-register" as const),
        }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(...MODELS),
        async (o, dropTimes, array, model) => {
          let h = generateHistory(o);
          if (dropTimes) h = h.map(({ time: _t, ...op }) => op);
          const checker = o.workload === "rw-register" ? elleRwRegisterChecker : elleListAppendChecker;
          const text = array ? jsonArray(h) : jsonl(h);
          declined = 0;
          await expectSame(checker, text, "gen.jsonl", { consistencyModel: model });
          expect(declined).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("read in chunks (lines cut anywhere, longer than the buffer): the same result", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 120 }),
        fc.integer(),
        fc.boolean(),
        fc.integer({ min: 8, max: 300 }),
        async (txns, seed, atomic, chunkBytes) => {
          const h = generateHistory({ txns, seed, atomic, failRate: 0.1, infoRate: 0.1, concurrency: 4 });
          const text = jsonl(h);
          const bytes = new TextEncoder().encode(text);
          const columns = readTxnColumnsChunked(
            {
              read: (into, position) => {
                const part = bytes.subarray(position, position + into.length);
                into.set(part);
                return part.length;
              },
              range: (start, end) => bytes.subarray(start, end),
            },
            { fileName: "gen.jsonl", chunkBytes },
          );
          expect(columns).toBeDefined();
          const o = { consistencyModel: "strict-serializable" };
          const chunked = normalize(runElle(columns!, o, inferListAppend));
          expect(chunked).toEqual(await viaObjects(elleListAppendChecker, text, "gen.jsonl", o));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("malformed input: the same error naming the same line", async () => {
    const good = [
      '{"index":0,"type":"invoke","process":0,"f":"txn","value":[["append","x",1],["r","y",null]],"time":1}',
      '{"index":1,"type":"ok","process":0,"f":"txn","value":[["append","x",1],["r","y",[]]],"time":2}',
      '{"index":2,"type":"invoke","process":1,"f":"txn","value":[["r","x",null]],"time":3}',
      '{"index":3,"type":"ok","process":1,"f":"txn","value":[["r","x",[1]]],"time":4}',
    ];
    const variants: string[][] = [
      [...good, "{not json"],
      [...good, '{"type":"maybe","process":2,"f":"txn","value":[]}'],
      [...good, '{"type":"invoke","f":"txn","value":[]}'],
      [...good, '{"type":"invoke","process":1.5,"f":"txn","value":[]}'],
      [...good, '{"type":"invoke","process":2,"value":5}'],
      [...good, '{"type":"invoke","process":2,"f":"txn","value":[],"time":"soon"}'],
      [...good, '{"type":"invoke","process":2,"f":"txn","value":[],"index":1.5}'],
      [
        ...good,
        '{"type":"invoke","process":2,"f":"txn","value":[["append","x"]]}',
        '{"type":"ok","process":2,"f":"txn","value":[["append","x", 2, 3]]}',
      ],
      [
        ...good,
        '{"type":"invoke","process":2,"f":"txn","value":[["append",null,2]]}',
        '{"type":"ok","process":2,"f":"txn","value":[["append",null,2]]}',
      ],
      [
        ...good,
        '{"type":"invoke","process":2,"f":"txn","value":[["incr","x",2]]}',
        '{"type":"ok","process":2,"f":"txn","value":[["incr","x",2]]}',
      ],
      [
        ...good,
        '{"type":"invoke","process":2,"f":"txn","value":[["append","x",1]]}',
        '{"type":"ok","process":2,"f":"txn","value":[["append","x",1]]}',
      ],
      [
        ...good,
        '{"type":"invoke","process":2,"f":"txn","value":[["r","x",null]]}',
        '{"type":"ok","process":2,"f":"txn","value":[["r","x",5]]}',
      ],
      [
        ...good,
        '{"type":"invoke","process":2,"f":"txn","value":[["append","x",[1]]]}',
        '{"type":"ok","process":2,"f":"txn","value":[["append","x",[1]]]}',
      ],
      [
        ...good,
        '{"type":"invoke","process":2,"f":"txn","value":"x"}',
        '{"type":"ok","process":2,"f":"txn","value":"x"}',
      ],
      [...good, '{"type":"ok","process":7,"f":"txn","value":[]}'],
      [
        ...good,
        '{"type":"invoke","process":0,"f":"txn","value":[]}',
        '{"type":"invoke","process":0,"f":"txn","value":[]}',
      ],
      [
        ...good,
        '{"type":"invoke","process":3,"f":"txn","value":[]}',
        '{"type":"ok","process":3,"f":"read","value":[]}',
      ],
      [
        ...good,
        '{"type":"invoke","process":"4","f":"txn","value":[["append","y",1]]}',
        '{"type":"ok","process":"4","f":"txn","value":[["append","y",1]]}',
      ],
      [
        ...good,
        "",
        "   ",
        '{"type":"info","process":"nemesis","f":"start","value":{"cut":["a"]}}',
        '{"type":"invoke","process":5,"f":"txn","value":[["append","z\\u00e9",1]]}',
        '{"type":"ok","process":5,"f":"txn","value":[["append","zé",1], ["r", "zé", [1]]]}',
      ],
      [
        ...good,
        '{"type":"invoke","process":5,"value":[["append",[1,"k"],1]]}',
        '{"type":"ok","process":5,"value":[["append",[1,"k"],1]], "f": null}',
      ],
      [
        ...good,
        '{"value":[["append","y",7]],"time":5,"f":"txn","process":6,"type":"invoke","index":9}',
        '{"time":6,"value":[["append","y",7],["r","x",[1]]],"type":"ok","error":"sl\\"ow\\n","process":6,"f":"txn","extra":{"a":[1,{"b":null}]}}',
      ],
    ];
    for (const lines of variants) {
      for (const checker of CHECKERS) await expectSame(checker, lines.join("\n"), "bad.jsonl");
    }
    // Bad input is left to parseHistory, whose first error may be on a later line.
    expect(declined).toBeGreaterThan(0);
    // One of them, spelled out: the error names the file and line.
    const r = await viaColumns(elleListAppendChecker, variants[0].join("\n"), "bad.jsonl", {});
    expect(r).toEqual({ error: expect.stringMatching(/^bad\.jsonl:5: not valid JSON/) });
  });

  it("declines what is not a JSON history, so the ordinary path answers", () => {
    expect(
      readTxnColumns("[{:type :invoke, :process 0, :f :txn, :value [[:r :x nil]]}]", { fileName: "h.edn" }),
    ).toBeUndefined();
    expect(readTxnColumns('[{"type":"invoke" "process":0}', { fileName: "h.json" })).toBeUndefined();
  });
});
