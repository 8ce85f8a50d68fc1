import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HistoryParseError } from "../../checkers/history/errors.ts";
import type { History } from "../../checkers/history/op.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import {
  checkLinearizable,
  linearizableChecker,
  type NonlinearizableAnomaly,
} from "../../checkers/linearizability/index.ts";

const DIR = join(import.meta.dirname, "../fixtures/histories");

interface Expected {
  model: string;
  initial?: unknown;
  valid: boolean;
  failingLine?: number;
  key?: unknown;
}

const expected = JSON.parse(readFileSync(join(DIR, "expected.json"), "utf8")) as Record<string, Expected>;
const cases = Object.entries(expected).filter(([file]) => !file.startsWith("_"));

function load(file: string): History {
  return parseHistory(readFileSync(join(DIR, file), "utf8"), { fileName: file });
}

describe("hand-made histories", () => {
  it.each(cases)("%s", (file, exp) => {
    const r = checkLinearizable(load(file), { model: exp.model, initial: exp.initial, fileName: file });
    expect(r.valid, r.anomalies[0]?.explanation).toBe(exp.valid);
    if (exp.valid) {
      expect(r.anomalies).toEqual([]);
      return;
    }
    expect(r.anomalyTypes).toEqual(["nonlinearizable"]);
    expect(r.anomalies).toHaveLength(1);
    const a = r.anomalies[0] as NonlinearizableAnomaly;
    expect(a.type).toBe("nonlinearizable");
    expect(a.model).toBe(exp.model);
    expect(a.op.completeLine).toBe(exp.failingLine);
    if (exp.key !== undefined) expect(a.key).toBe(exp.key);
    expect(a.explanation).toMatch(/cannot be linearized/);
    expect(a.statesBefore.length).toBeGreaterThan(0);
  });
});

describe("explanations", () => {
  it("names the op, the partial linearization, concurrent ops and states before", () => {
    const r = checkLinearizable(load("register-bad.jsonl"), { model: "register", initial: 0 });
    const a = r.anomalies[0] as NonlinearizableAnomaly;
    expect(a.op).toMatchObject({
      process: 2,
      f: "read",
      value: 0,
      outcome: "ok",
      invokeLine: 4,
      completeLine: 5,
    });
    // The only order reaching the failing read: write 1, then process 1's read of 1.
    expect(a.linearization.map((s) => [s.op.f, s.op.value, s.stateAfter])).toEqual([
      ["write", 1, "1"],
      ["read", 1, "1"],
    ]);
    expect(a.statesBefore).toEqual(["1"]);
    // The write is concurrent with the failing read (and was placed); process 1's read is not concurrent.
    expect(a.concurrent.map((c) => [c.process, c.f, c.linearized])).toEqual([[0, "write", true]]);
    expect(a.timeUnit).toBe("position");
    expect(a.explanation).toContain("read 0 by process 2 (lines 4-5)");
    expect(a.explanation).toContain("state 1");
    expect(a.ops.map((o) => o.index)).toEqual([0, 3, 4, 5]);
    // Survives a trip through results.json.
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  it("uses times (ns) when the history has them and marks info ops open-ended", () => {
    const h = parseHistory(
      [
        '{"type":"invoke","process":0,"f":"write","value":1,"time":0}',
        '{"type":"info","process":0,"f":"write","value":1,"time":5}',
        '{"type":"invoke","process":1,"f":"write","value":2,"time":6}',
        '{"type":"ok","process":1,"f":"write","value":2,"time":7}',
        '{"type":"invoke","process":2,"f":"read","value":null,"time":8}',
        '{"type":"ok","process":2,"f":"read","value":1,"time":9}',
        '{"type":"invoke","process":2,"f":"read","value":null,"time":10}',
        '{"type":"ok","process":2,"f":"read","value":2,"time":11}',
      ].join("\n"),
    );
    const a = checkLinearizable(h, {}).anomalies[0] as NonlinearizableAnomaly;
    expect(a.timeUnit).toBe("ns");
    expect(a.op).toMatchObject({ start: 10, end: 11, value: 2 });
    const crashed = a.concurrent.find((c) => c.outcome === "info");
    expect(crashed).toMatchObject({ process: 0, start: 0, end: null, linearized: true });
  });

  it("reports one anomaly per failing key with allKeys, else stops at the first", () => {
    const lines: string[] = [];
    for (const key of ["a", "b", "c"]) {
      lines.push(`{"type":"invoke","process":0,"f":"write","key":"${key}","value":1}`);
      lines.push(`{"type":"ok","process":0,"f":"write","key":"${key}","value":1}`);
      lines.push(`{"type":"invoke","process":0,"f":"read","key":"${key}","value":null}`);
      lines.push(`{"type":"ok","process":0,"f":"read","key":"${key}","value":${key === "b" ? 1 : 2}}`);
    }
    const h = parseHistory(lines.join("\n"));
    const first = checkLinearizable(h, {});
    expect(first.anomalies.map((a) => a.key)).toEqual(["a"]);
    expect(first.stats?.partitionsChecked).toBe(1);
    const all = checkLinearizable(h, { allKeys: true });
    expect(all.anomalies.map((a) => a.key)).toEqual(["a", "c"]);
  });
});

describe("multi-register explanations", () => {
  it("name the registers of the failing group", () => {
    const r = checkLinearizable(load("multi-register-bad-atomicity.jsonl"), {
      model: "multi-register",
      initial: { x: 0, y: 0 },
    });
    const a = r.anomalies[0] as NonlinearizableAnomaly;
    expect(a.registers).toEqual(["x", "y"]);
    expect(a.key).toBeUndefined();
    expect(a.explanation).toContain("on registers x, y");
    expect(a.statesBefore).toEqual(["{x=1, y=1}"]);
  });
});

describe("Jepsen semantics", () => {
  const h = (lines: string[]) => parseHistory(lines.join("\n"));

  it("drops failed ops: a failed write is never read", () => {
    const hist = h([
      '{"type":"invoke","process":0,"f":"write","value":1}',
      '{"type":"fail","process":0,"f":"write","value":1}',
      '{"type":"invoke","process":1,"f":"read","value":null}',
      '{"type":"ok","process":1,"f":"read","value":1}',
    ]);
    expect(checkLinearizable(hist, {}).valid).toBe(false);
  });

  it("lets a crashed write take effect much later, or never", () => {
    const base = [
      '{"type":"invoke","process":0,"f":"write","value":1}',
      '{"type":"info","process":0,"f":"write","value":1}',
      '{"type":"invoke","process":1,"f":"write","value":2}',
      '{"type":"ok","process":1,"f":"write","value":2}',
      '{"type":"invoke","process":1,"f":"read","value":null}',
    ];
    expect(checkLinearizable(h([...base, '{"type":"ok","process":1,"f":"read","value":1}']), {}).valid).toBe(
      true,
    );
    expect(checkLinearizable(h([...base, '{"type":"ok","process":1,"f":"read","value":2}']), {}).valid).toBe(
      true,
    );
  });

  it("ignores nemesis ops and treats never-completed ops as info", () => {
    const hist = h([
      '{"type":"invoke","process":0,"f":"write","value":1}',
      '{"type":"info","process":"nemesis","f":"partition","value":{"isolate":["eu-west"]}}',
      '{"type":"invoke","process":1,"f":"read","value":null}',
      '{"type":"ok","process":1,"f":"read","value":1}',
    ]);
    expect(checkLinearizable(hist, {}).valid).toBe(true);
  });

  it("checks an empty history as valid", () => {
    expect(checkLinearizable([], {}).valid).toBe(true);
  });

  it("takes --initial per key for kv and as a map for multi-register", () => {
    const kv = h([
      '{"type":"invoke","process":0,"f":"get","key":"x","value":null}',
      '{"type":"ok","process":0,"f":"get","key":"x","value":"hello"}',
      '{"type":"invoke","process":0,"f":"get","key":"y","value":null}',
      '{"type":"ok","process":0,"f":"get","key":"y","value":null}',
    ]);
    expect(checkLinearizable(kv, { model: "kv", initial: { x: "hello" } }).valid).toBe(true);
    expect(checkLinearizable(kv, { model: "kv", initial: "hello" }).valid).toBe(false);
    const mr = h([
      '{"type":"invoke","process":0,"f":"txn","value":[["read","x",null],["read","y",null]]}',
      '{"type":"ok","process":0,"f":"txn","value":[["read","x",0],["read","y",null]]}',
    ]);
    expect(checkLinearizable(mr, { model: "multi-register", initial: { x: 0 } }).valid).toBe(true);
    expect(checkLinearizable(mr, { model: "multi-register", initial: 0 }).valid).toBe(false);
  });

  it("checks disjoint registers of a multi-register apart, and txns spanning them together", () => {
    const hist = h([
      '{"type":"invoke","process":0,"f":"txn","value":[["write","x",1]]}',
      '{"type":"ok","process":0,"f":"txn","value":[["write","x",1]]}',
      '{"type":"invoke","process":0,"f":"txn","value":[["write","y",1]]}',
      '{"type":"ok","process":0,"f":"txn","value":[["write","y",1]]}',
      '{"type":"invoke","process":1,"f":"txn","value":[["write","z",1],["write","w",1]]}',
      '{"type":"ok","process":1,"f":"txn","value":[["write","z",1],["write","w",1]]}',
    ]);
    const r = checkLinearizable(hist, { model: "multi-register" });
    expect(r.valid).toBe(true);
    expect(r.stats?.partitions).toBe(3);
  });
});

describe("budgets", () => {
  it("returns unknown with a reason at the time limit, never hangs", () => {
    // Many concurrent crashed writes of distinct values, each read once, and one process that
    // reads 1, then 0, then 1 (one write of 1): refuting it means trying every subset and order
    // of the writes. (A read of a value never written would be refuted at once.)
    const n = 40;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(`{"type":"invoke","process":${i},"f":"write","value":${i}}`);
    for (let i = 0; i < n; i++) lines.push(`{"type":"invoke","process":${n + i},"f":"read","value":null}`);
    for (let i = 0; i < n; i++) lines.push(`{"type":"info","process":${i},"f":"write","value":${i}}`);
    lines.push(...seesOneZeroOne(2 * n));
    for (let i = 0; i < n; i++) lines.push(`{"type":"ok","process":${n + i},"f":"read","value":${i}}`);
    const t0 = performance.now();
    const r = checkLinearizable(parseHistory(lines.join("\n")), { timeLimitMs: 300 });
    const ms = performance.now() - t0;
    expect(r.valid).toBe("unknown");
    expect(r.reason).toMatch(/time limit of 0.3s reached on history/);
    expect(ms).toBeLessThan(5000);
  });

  it("does not let a hard key hide an invalid one after it", () => {
    const n = 40;
    const lines: string[] = [];
    // Key "hard": the pathological history above; key "bad": a plain stale read.
    for (let i = 0; i < n; i++)
      lines.push(`{"type":"invoke","process":${i},"f":"write","key":"hard","value":${i}}`);
    for (let i = 0; i < n; i++)
      lines.push(`{"type":"invoke","process":${n + i},"f":"read","key":"hard","value":null}`);
    for (let i = 0; i < n; i++)
      lines.push(`{"type":"info","process":${i},"f":"write","key":"hard","value":${i}}`);
    lines.push(...seesOneZeroOne(2 * n, "hard"));
    for (let i = 0; i < n; i++) {
      lines.push(`{"type":"ok","process":${n + i},"f":"read","key":"hard","value":${i}}`);
    }
    lines.push('{"type":"invoke","process":999,"f":"write","key":"bad","value":1}');
    lines.push('{"type":"ok","process":999,"f":"write","key":"bad","value":1}');
    lines.push('{"type":"invoke","process":999,"f":"read","key":"bad","value":null}');
    lines.push('{"type":"ok","process":999,"f":"read","key":"bad","value":null}');
    const h = parseHistory(lines.join("\n"));
    const r = checkLinearizable(h, { timeLimitMs: 1000 });
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => a.key)).toEqual(["bad"]);
    // Without the invalid key, the hard one makes it unknown, and says which.
    const hardOnly = checkLinearizable(
      h.filter((o) => o.key === "hard"),
      { timeLimitMs: 300 },
    );
    expect(hardOnly.valid).toBe("unknown");
    expect(hardOnly.reason).toMatch(/key "hard"/);
  });

  it("returns unknown at the memory ceiling", () => {
    const n = 40;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(`{"type":"invoke","process":${i},"f":"write","value":${i}}`);
    for (let i = 0; i < n; i++) lines.push(`{"type":"invoke","process":${n + i},"f":"read","value":null}`);
    for (let i = 0; i < n; i++) lines.push(`{"type":"info","process":${i},"f":"write","value":${i}}`);
    lines.push(...seesOneZeroOne(2 * n));
    for (let i = 0; i < n; i++) lines.push(`{"type":"ok","process":${n + i},"f":"read","value":${i}}`);
    const r = checkLinearizable(parseHistory(lines.join("\n")), {
      timeLimitMs: 60_000,
      memoryLimitBytes: 4 * 1024 * 1024,
    });
    expect(r.valid).toBe("unknown");
    expect(r.reason).toMatch(/memory limit/);
  });
});

describe("bad input", () => {
  const bad = (lines: string[], model = "cas-register"): HistoryParseError => {
    try {
      checkLinearizable(parseHistory(lines.join("\n"), { fileName: "h.jsonl" }), {
        model,
        fileName: "h.jsonl",
      });
    } catch (e) {
      expect(e).toBeInstanceOf(HistoryParseError);
      return e as HistoryParseError;
    }
    throw new Error("expected an error");
  };

  it("rejects an f the model does not know, naming the line", () => {
    const e = bad([
      '{"type":"invoke","process":0,"f":"write","value":1}',
      '{"type":"ok","process":0,"f":"write","value":1}',
      '{"type":"invoke","process":0,"f":"incr","value":1}',
      '{"type":"ok","process":0,"f":"incr","value":1}',
    ]);
    expect(e.message).toBe('h.jsonl:4: unknown f "incr" for model cas-register (expected read, write, cas)');
  });

  it("rejects a malformed cas value", () => {
    const e = bad([
      '{"type":"invoke","process":0,"f":"cas","value":3}',
      '{"type":"ok","process":0,"f":"cas","value":3}',
    ]);
    expect(e.message).toMatch(/^h\.jsonl:2: cas value must be \[from, to\]/);
  });

  it("rejects a completion without an invoke and two pending invokes", () => {
    expect(bad(['{"type":"ok","process":0,"f":"read","value":1}']).message).toMatch(
      /^h\.jsonl:1: .*no invoke/,
    );
    expect(
      bad([
        '{"type":"invoke","process":0,"f":"read","value":null}',
        '{"type":"invoke","process":0,"f":"read","value":null}',
      ]).message,
    ).toMatch(/^h\.jsonl:2: process 0 invokes "read" while its "read" from line 1 is still pending/);
  });

  it("rejects an unknown model by name", () => {
    expect(() => checkLinearizable([], { model: "btree" })).toThrow(
      /unknown model "btree" \(known: register, cas-register/,
    );
  });
});

describe("linearizableChecker", () => {
  it("is the Checker the CLI calls, with model, initial and time limit options", async () => {
    expect(linearizableChecker.name).toBe("linearizable");
    const r = await linearizableChecker.check(load("register-good-initial.jsonl"), {
      model: "register",
      initial: 0,
      timeLimitMs: 10_000,
    });
    expect(r.valid).toBe(true);
  });
});

/** One process reading 1, then 0, then 1 (JSONL lines): impossible with a single write of 1. */
function seesOneZeroOne(process: number, key?: string): string[] {
  const k = key === undefined ? "" : `"key":"${key}",`;
  return [1, 0, 1].flatMap((v) => [
    `{"type":"invoke","process":${process},"f":"read",${k}"value":null}`,
    `{"type":"ok","process":${process},"f":"read",${k}"value":${v}}`,
  ]);
}
