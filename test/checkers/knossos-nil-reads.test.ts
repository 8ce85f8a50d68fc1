/**
 * Knossos's nil-read convention (an ok read of nil matches any state in its register,
 * cas-register and multi-register models) against Knossos's own test data, and the strict
 * meaning faultline's JSONL keeps. Fixtures and their sources: test/fixtures/knossos-nil-reads/.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { History } from "../../checkers/history/op.ts";
import { defaultNilReads, detectFormat, parseHistory } from "../../checkers/history/parse.ts";
import { checkLinearizable } from "../../checkers/linearizability/index.ts";
import { checkInput } from "../../harness/cli/check-command.ts";

const DIR = join(import.meta.dirname, "../fixtures/knossos-nil-reads");
const read = (file: string) => readFileSync(join(DIR, file), "utf8");
const load = (file: string) => parseHistory(read(file), { fileName: file });

describe("Knossos's data/cas-register/good, checked as Knossos checks it: (cas-register 0)", () => {
  for (const file of ["memstress3-1-first60.edn", "memstress3-0-first40.edn"]) {
    it(`${file} is linearizable with nil reads matching any state`, () => {
      const r = checkLinearizable(load(file), { model: "cas-register", initial: 0, nilReads: "any" });
      expect(r.valid, r.anomalies[0]?.explanation).toBe(true);
      expect(r.stats?.nilReads).toBe("any");
    });
  }

  it("EDN follows Knossos by default, through `faultline check`", async () => {
    expect(defaultNilReads(detectFormat(read("memstress3-1-first60.edn")))).toBe("any");
    const c = await checkInput(join(DIR, "memstress3-1-first60.edn"), {
      checker: "linearizable",
      model: "cas-register",
      initial: "0",
    });
    expect(c.results.valid).toBe(true);
    expect(c.results.checkers.linearizable.stats?.nilReads).toBe("any");
  });

  it("control: read strictly, the nil reads of a register holding 0 are not linearizable", async () => {
    const strict = checkLinearizable(load("memstress3-1-first60.edn"), {
      model: "cas-register",
      initial: 0,
      nilReads: "value",
    });
    expect(strict.valid).toBe(false);
    expect(strict.stats?.nilReads).toBe("value");
    const c = await checkInput(join(DIR, "memstress3-1-first60.edn"), {
      checker: "linearizable",
      model: "cas-register",
      initial: "0",
      nilReads: "value",
    });
    expect(c.results.valid).toBe(false);
    // The file without ok nil reads does not depend on the meaning.
    const other = load("memstress3-0-first40.edn");
    expect(checkLinearizable(other, { model: "cas-register", initial: 0, nilReads: "value" }).valid).toBe(
      true,
    );
  });
});

describe("faultline's JSONL keeps the strict meaning", () => {
  it("a stale read of the initial null state is still invalid by default", async () => {
    expect(defaultNilReads(detectFormat(read("stale-null-read.jsonl")))).toBe("value");
    const c = await checkInput(join(DIR, "stale-null-read.jsonl"), {
      checker: "linearizable",
      model: "register",
    });
    expect(c.results.valid).toBe(false);
    expect(c.results.anomalyTypes).toEqual(["nonlinearizable"]);
    expect(c.results.checkers.linearizable.stats?.nilReads).toBe("value");
    // Asked explicitly for Knossos's meaning, the same history passes: the option is what decides.
    const any = await checkInput(join(DIR, "stale-null-read.jsonl"), {
      checker: "linearizable",
      model: "register",
      nilReads: "any",
    });
    expect(any.results.valid).toBe(true);
  });
});

describe("the other models", () => {
  const op = (index: number, type: string, process: number, f: string, value: unknown): History[number] => ({
    index,
    type: type as History[number]["type"],
    process,
    f,
    value,
  });

  it("multi-register: a nil micro-op read matches any value (Knossos: 'Nil reads are always legal')", () => {
    const h: History = [
      op(0, "invoke", 0, "txn", [
        ["read", "x", null],
        ["read", "y", null],
      ]),
      op(1, "ok", 0, "txn", [
        ["read", "x", null],
        ["read", "y", 0],
      ]),
    ];
    const initial = { x: 0, y: 0 };
    expect(checkLinearizable(h, { model: "multi-register", initial, nilReads: "any" }).valid).toBe(true);
    expect(checkLinearizable(h, { model: "multi-register", initial, nilReads: "value" }).valid).toBe(false);
    // The non-nil read in the same txn is still checked.
    const wrong: History = [
      h[0],
      op(1, "ok", 0, "txn", [
        ["read", "x", null],
        ["read", "y", 5],
      ]),
    ];
    expect(checkLinearizable(wrong, { model: "multi-register", initial, nilReads: "any" }).valid).toBe(false);
  });

  it("kv and set have no nil-read case (Knossos's set has none; kv's null is a missing key)", () => {
    const kv: History = [op(0, "invoke", 0, "get", null), op(1, "ok", 0, "get", null)];
    expect(checkLinearizable(kv, { model: "kv", initial: "", nilReads: "any" }).valid).toBe(false);
    const set: History = [
      op(0, "invoke", 0, "add", 1),
      op(1, "ok", 0, "add", 1),
      op(2, "invoke", 1, "read", null),
      op(3, "ok", 1, "read", null),
    ];
    const r = (() => {
      try {
        return checkLinearizable(set, { model: "set", nilReads: "any" }).valid;
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(r).not.toBe(true);
  });
});
