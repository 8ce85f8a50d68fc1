/**
 * Real histories from Knossos's and Porcupine's own test data (test/fixtures/lin-real/, sources
 * in its README), each with the verdict that tool's test suite asserts: ours must match, within
 * a time budget.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseHistory } from "../../checkers/history/parse.ts";
import { checkLinearizable, type NonlinearizableAnomaly } from "../../checkers/linearizability/index.ts";
import { casRegisterHistory, withStaleRead } from "../../bench/linearizability-histories.ts";

const DIR = join(import.meta.dirname, "../fixtures/lin-real");

interface Expected {
  model: string;
  initial?: unknown;
  valid: boolean;
  source: string;
  /** Time limit for our checker (default 10 s); the verdict must come well before it. */
  budgetMs?: number;
}

const expected = JSON.parse(readFileSync(join(DIR, "expected.json"), "utf8")) as Record<string, Expected>;
const cases = Object.entries(expected).filter(([file]) => !file.startsWith("_"));
const DEFAULT_BUDGET_MS = 10_000;

describe("real histories from Knossos and Porcupine", () => {
  it("every fixture has an expected verdict and every expectation a fixture", () => {
    const files = readdirSync(DIR).filter((f) => !f.endsWith(".md") && f !== "expected.json");
    expect(files.sort()).toEqual(cases.map(([f]) => f).sort());
  });

  it.each(cases)("%s", (file, exp) => {
    const history = parseHistory(readFileSync(join(DIR, file), "utf8"), { fileName: file });
    expect(history.length).toBeGreaterThan(0);
    const budgetMs = exp.budgetMs ?? DEFAULT_BUDGET_MS;
    const t0 = performance.now();
    const r = checkLinearizable(history, {
      model: exp.model,
      initial: exp.initial,
      fileName: file,
      timeLimitMs: budgetMs,
    });
    const ms = performance.now() - t0;
    expect(r.valid, `${exp.source}; ours: ${r.anomalies[0]?.explanation ?? JSON.stringify(r.valid)}`).toBe(
      exp.valid,
    );
    expect(ms).toBeLessThan(budgetMs);
  });
});

describe("the initial state matters", () => {
  it("Knossos's multi-register history is not linearizable from nil registers (it reads 0 first)", () => {
    const file = "knossos-multi-register-first50.edn";
    const h = parseHistory(readFileSync(join(DIR, file), "utf8"), { fileName: file });
    expect(checkLinearizable(h, { model: "multi-register", initial: { x: 0, y: 0 } }).valid).toBe(true);
    expect(checkLinearizable(h, { model: "multi-register" }).valid).toBe(false);
  });
});

describe("Jepsen log import", () => {
  const log = [
    "2017-01-01 12:00:00,000{GMT}\tINFO\t[main] jepsen.core: Running test",
    "INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]",
    "INFO  jepsen.util - :nemesis\t:info\t:start\tnil",
    "INFO  jepsen.util - 3\t:info\t:cas\t:timed-out",
    "INFO  jepsen.util - 4\t:invoke\t:read\tnil",
    "INFO  jepsen.util - 4\t:ok\t:read\t4",
  ].join("\n");

  it("is detected from the content and keeps the log's line numbers", () => {
    const h = parseHistory(log);
    expect(h.map((o) => [o.line, o.process, o.type, o.f, o.value])).toEqual([
      [2, 3, "invoke", "cas", [1, 4]],
      [3, "nemesis", "info", "start", null],
      [4, 3, "info", "cas", null],
      [5, 4, "invoke", "read", null],
      [6, 4, "ok", "read", 4],
    ]);
    // The keyword in a crashed op's value position is why it crashed.
    expect(h[2].error).toBe("timed-out");
    // The crashed cas may have happened: reading 4 is fine.
    expect(checkLinearizable(h, { model: "cas-register", initial: 1 }).valid).toBe(true);
    expect(checkLinearizable(h, { model: "cas-register", initial: 2 }).valid).toBe(false);
  });

  it("reads history.txt and newer log prefixes, with the error as a fifth field", () => {
    const h = parseHistory(
      [
        "0\t:invoke\t:write\t3",
        "2018-02-02 11:17:36,776{GMT}\tINFO\t[jepsen worker 1] jepsen.util: 1\t:invoke\t:read\tnil",
        "0\t:info\t:write\t3\t:timed-out",
        "1\t:ok\t:read\t3",
      ].join("\n"),
    );
    expect(h.map((o) => [o.process, o.type, o.f, o.value, o.error])).toEqual([
      [0, "invoke", "write", 3, undefined],
      [1, "invoke", "read", null, undefined],
      [0, "info", "write", 3, "timed-out"],
      [1, "ok", "read", 3, undefined],
    ]);
  });

  it("names the line of a malformed op", () => {
    expect(() =>
      parseHistory(`${log}\nINFO  jepsen.util - 5\t:invoke\t:cas\t[1 4`, { fileName: "x.log" }),
    ).toThrow(/x\.log:7: value "\[1 4" is not EDN/);
    expect(() =>
      parseHistory(`${log}\nINFO  jepsen.util - 5\t:done\t:read\tnil`, { fileName: "x.log" }),
    ).toThrow(/x\.log:7: type ":done" is not :invoke/);
  });
});

describe("refuting a long history with many crashed writes", () => {
  // The shape of Porcupine's etcd logs, 50x longer: one register, 10 processes, 5% crashed.
  const base = casRegisterHistory({ seed: 7, ops: 10_000, processes: 10, infoRate: 0.05 });

  it("refutes a read of a value never written without exhausting the crashed writes", () => {
    const h = withStaleRead(base);
    const t0 = performance.now();
    const r = checkLinearizable(h, { model: "cas-register", timeLimitMs: 20_000 });
    expect(r.valid).toBe(false);
    expect(performance.now() - t0).toBeLessThan(10_000);
    const a = r.anomalies[0] as NonlinearizableAnomaly;
    expect(a.op).toMatchObject({ f: "read", value: 99 });
    expect(a.explanation).toMatch(/no operation that could have produced what it observes/);
  });

  it("refutes a read whose only writer was invoked after it returned", () => {
    // A read of 77 mid-history; the one write of 77 comes at the very end.
    const h = base.map((o) => ({ ...o }));
    const read = h.findIndex((o, i) => i > h.length / 2 && o.type === "ok" && o.f === "read");
    h[read].value = 77;
    const last = h.length;
    h.push({ index: last, type: "invoke", process: 999, f: "write", value: 77 });
    h.push({ index: last + 1, type: "ok", process: 999, f: "write", value: 77 });
    const r = checkLinearizable(h, { model: "cas-register", timeLimitMs: 20_000 });
    expect(r.valid).toBe(false);
    expect((r.anomalies[0] as NonlinearizableAnomaly).op).toMatchObject({ f: "read", value: 77 });
  });

  it("leaves a valid history valid", () => {
    expect(checkLinearizable(base, { model: "cas-register", timeLimitMs: 20_000 }).valid).toBe(true);
  });
});
