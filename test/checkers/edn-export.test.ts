/**
 * EDN out (`faultline export --format edn`): what we write, our own parser reads back to the same
 * ops (a property over generated histories with txns, independent keys, nemesis ops and nil
 * reads), and an exported history, checked again, gets the verdict its source got.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { toEdn } from "../../checkers/history/edn.ts";
import type { History, Op } from "../../checkers/history/op.ts";
import { defaultNilReads, detectFormat, parseHistory } from "../../checkers/history/parse.ts";
import { type CheckFlags, checkInput } from "../../harness/cli/check-command.ts";
import { exportCommand, exportHistory } from "../../harness/cli/export-command.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures");
const tmp = mkdtempSync(join(tmpdir(), "faultline-export-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const strip = (h: History) => h.map(({ line: _line, ...rest }) => rest);

// Keys as Jepsen writes them: small integers or plain strings.
const key = fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom("x", "y", "acct-1"));
const scalar = fc.oneof(
  fc.integer({ min: -5, max: 1000 }),
  fc.constantFrom("a", "b c", 'q"uote'),
  fc.constant(null),
);
const mop = fc.oneof(
  fc.tuple(fc.constant("append"), key, fc.integer({ min: 0, max: 99 })),
  fc.tuple(
    fc.constant("r"),
    key,
    fc.oneof(fc.constant(null), fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 4 })),
  ),
  fc.tuple(fc.constant("w"), key, fc.integer({ min: 0, max: 99 })),
);
const clientOp = fc.record({
  type: fc.constantFrom("invoke", "ok", "fail", "info"),
  process: fc.integer({ min: 0, max: 20 }),
  body: fc.oneof(
    fc.record({ f: fc.constant("txn"), value: fc.array(mop, { minLength: 1, maxLength: 4 }) }),
    fc.record({ f: fc.constantFrom("read", "write"), value: scalar }),
    fc.record({
      f: fc.constant("cas"),
      value: fc.tuple(fc.integer({ max: 9, min: 0 }), fc.integer({ max: 9, min: 0 })),
    }),
  ),
  error: fc.option(fc.constantFrom("timeout", "conn refused"), { nil: undefined }),
});
const nemesisOp = fc.record({
  type: fc.constant("info"),
  process: fc.constant("nemesis"),
  body: fc.record({
    f: fc.constantFrom("partition", "heal"),
    value: fc.constantFrom(null, { isolate: ["eu-west"] }),
  }),
  error: fc.constant(undefined),
});

function build(
  raw: { type: string; process: number | string; body: { f: string; value: unknown }; error?: string }[],
  keyed: unknown[] | undefined,
  withTime: boolean,
): History {
  return raw.map((r, i) => {
    const op: Op = {
      index: i,
      type: r.type as Op["type"],
      process: r.process,
      f: r.body.f,
      value: r.body.value,
    };
    // Jepsen's independent tuples only make sense for single-object ops; txns carry their own keys.
    if (keyed && r.process !== "nemesis" && r.body.f !== "txn") op.key = keyed[i % keyed.length];
    if (withTime) op.time = i * 1000 + 17;
    if (r.error !== undefined) op.error = r.error;
    return op;
  });
}

describe("EDN export round trip (our own parser)", () => {
  it("toEdn then parseHistory gives back the same ops: txns, keys, nemesis, nil reads, both layouts", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ weight: 5, arbitrary: clientOp }, { weight: 1, arbitrary: nemesisOp }), {
          maxLength: 40,
        }),
        fc.option(fc.array(key, { minLength: 1, maxLength: 3 }), { nil: undefined }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom("any", "value") as fc.Arbitrary<"any" | "value">,
        (raw, keys, withTime, vector, nilReads) => {
          // Keyed histories are all single-object ops (as Jepsen's independent checker has them).
          const rows = keys ? raw.filter((r) => r.body.f !== "txn") : raw;
          const h = build(rows, keys, withTime);
          const text = toEdn(h, { vector, nilReads });
          expect(detectFormat(text)).toBe("edn");
          expect(defaultNilReads(detectFormat(text), text)).toBe(nilReads);
          const back = parseHistory(text, { fileName: "h.edn" });
          expect(strip(back)).toEqual(strip(h));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("writes what Jepsen writes: keywords, [k v] tuples, [:append k v] / [:r k v] micro-ops", () => {
    const h: History = [
      {
        index: 0,
        type: "invoke",
        process: 0,
        f: "txn",
        value: [
          ["append", 3, 1],
          ["r", 4, null],
        ],
        time: 5,
      },
      {
        index: 1,
        type: "ok",
        process: 0,
        f: "txn",
        value: [
          ["append", 3, 1],
          ["r", 4, [1, 2]],
        ],
        time: 9,
      },
      { index: 2, type: "info", process: "nemesis", f: "partition", value: null },
    ];
    const edn = toEdn(h);
    expect(edn).toContain(
      "{:index 0 :type :invoke :process 0 :f :txn :value [[:append 3 1] [:r 4 nil]] :time 5}",
    );
    expect(edn).toContain(":value [[:append 3 1] [:r 4 [1 2]]]");
    expect(edn).toContain(":process :nemesis :f :partition");
    const keyed: History = [
      { index: 0, type: "invoke", process: 1, f: "write", key: 7, value: 2 },
      { index: 1, type: "ok", process: 1, f: "write", key: 7, value: 2 },
    ];
    expect(toEdn(keyed)).toContain(":f :write :value [7 2]");
  });
});

interface Case {
  file: string;
  flags: CheckFlags;
}

function linCases(): Case[] {
  const dir = join(FIXTURES, "histories");
  const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Record<
    string,
    { model: string; initial?: unknown }
  >;
  return Object.entries(expected)
    .filter(([f]) => !f.startsWith("_"))
    .map(([f, e]) => ({
      file: join(dir, f),
      flags: {
        checker: "linearizable",
        model: e.model,
        ...(e.initial !== undefined ? { initial: JSON.stringify(e.initial) } : {}),
      },
    }));
}

const CASES: Case[] = [
  ...linCases(),
  {
    file: join(FIXTURES, "knossos-nil-reads/stale-null-read.jsonl"),
    flags: { checker: "linearizable", model: "register" },
  },
  {
    file: join(FIXTURES, "knossos-nil-reads/memstress3-1-first60.edn"),
    flags: { checker: "linearizable", model: "cas-register", initial: "0" },
  },
  { file: join(FIXTURES, "elle-list-append-valid.jsonl"), flags: { checker: "elle-list-append" } },
  { file: join(FIXTURES, "elle-list-append-write-skew.edn"), flags: { checker: "elle-list-append" } },
  {
    file: join(FIXTURES, "elle-rw-register-g1c.edn"),
    flags: { checker: "elle-rw-register", consistencyModel: "read-committed" },
  },
];

describe("an exported history, checked again, gets its source's verdict", () => {
  it("covers valid and invalid histories", async () => {
    const verdicts = await Promise.all(
      CASES.map(async (c) => (await checkInput(c.file, c.flags)).results.valid),
    );
    expect(verdicts).toContain(true);
    expect(verdicts).toContain(false);
  });

  it.each(CASES.map((c) => [c.file.slice(FIXTURES.length + 1), c] as const))("%s", async (_name, c) => {
    const original = await checkInput(c.file, c.flags);
    const out = join(tmp, `${_name.replace(/\W+/g, "_")}.edn`);
    expect(await exportCommand(c.file, { format: "edn", out })).toBe(0);
    const again = await checkInput(out, c.flags);
    expect(again.results.valid).toBe(original.results.valid);
    expect(again.results.anomalyTypes).toEqual(original.results.anomalyTypes);
  });
});

describe("faultline export", () => {
  it("reads a run folder's history.jsonl and fails clearly on a folder without one", async () => {
    const run = join(tmp, "run");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(run, { recursive: true });
    writeFileSync(
      join(run, "history.jsonl"),
      readFileSync(join(FIXTURES, "knossos-nil-reads/stale-null-read.jsonl"), "utf8"),
    );
    const edn = exportHistory(run, { format: "edn", vector: true });
    expect(edn).toMatch(/^;; faultline-nil-reads: value\n/);
    expect(edn).toContain("[{:index 0 :type :invoke :process 0 :f :write :value 1 :time 1000}");
    expect(parseHistory(edn)).toHaveLength(4);
    expect(() => exportHistory(tmp, { format: "edn" })).toThrow(/has no history.jsonl.*not a run folder/);
    expect(() => exportHistory(join(run, "history.jsonl"), { format: "csv" as "edn" })).toThrow(
      /unknown --format 'csv'/,
    );
  });
});
