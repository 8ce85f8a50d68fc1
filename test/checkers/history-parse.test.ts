import { describe, expect, it } from "vitest";
import { toEdn } from "../../checkers/history/edn.ts";
import { HistoryParseError } from "../../checkers/history/errors.ts";
import { pairOps } from "../../checkers/history/pairs.ts";
import { detectFormat, parseHistory } from "../../checkers/history/parse.ts";

function parseError(text: string, fileName?: string): HistoryParseError {
  try {
    parseHistory(text, { fileName });
  } catch (e) {
    expect(e).toBeInstanceOf(HistoryParseError);
    return e as HistoryParseError;
  }
  throw new Error("expected a HistoryParseError");
}

describe("parseHistory: JSONL", () => {
  it("reads ops with their lines, skipping blank lines", () => {
    const text = [
      '{"index":0,"type":"invoke","process":3,"f":"write","value":5,"time":10}',
      "",
      '{"index":1,"type":"ok","process":3,"f":"write","value":5,"time":20}',
    ].join("\n");
    const h = parseHistory(text);
    expect(h).toHaveLength(2);
    expect(h[1]).toMatchObject({ index: 1, type: "ok", process: 3, f: "write", value: 5, time: 20, line: 3 });
  });

  it("names the line and the field of a bad op", () => {
    const good = '{"type":"invoke","process":1,"f":"read","value":null}';
    const lines = Array.from({ length: 16 }, () => good);
    lines.push('{"type":"okk","process":1,"f":"read","value":3}');
    const e = parseError(lines.join("\n"), "history.jsonl");
    expect(e.line).toBe(17);
    expect(e.message).toBe('history.jsonl:17: expected "type" to be invoke|ok|fail|info, got "okk"');
  });

  it("reports invalid JSON with its line", () => {
    const e = parseError('{"type":"invoke","process":1,"f":"read"}\n{"type": oops}\n', "h.jsonl");
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/^h\.jsonl:2: not valid JSON/);
  });

  it("rejects missing process and f, and non-numeric time", () => {
    expect(parseError('{"type":"ok","f":"read"}').message).toMatch(/line 1: missing "process"/);
    expect(parseError('{"type":"ok","process":1}').message).toMatch(/missing "f"/);
    expect(parseError('{"type":"ok","process":1,"f":"r","time":"x"}').message).toMatch(/"time"/);
  });

  it("assigns indexes when missing or not increasing, keeps them otherwise", () => {
    const h = parseHistory(
      '{"type":"invoke","process":1,"f":"read"}\n{"type":"ok","process":1,"f":"read","value":1}',
    );
    expect(h.map((o) => o.index)).toEqual([0, 1]);
    expect(h[0].value).toBeNull();
    const sparse = parseHistory(
      '{"index":4,"type":"invoke","process":1,"f":"read"}\n{"index":9,"type":"ok","process":1,"f":"read"}',
    );
    expect(sparse.map((o) => o.index)).toEqual([4, 9]);
    const dup = parseHistory(
      '{"index":4,"type":"invoke","process":1,"f":"read"}\n{"index":4,"type":"ok","process":1,"f":"read"}',
    );
    expect(dup.map((o) => o.index)).toEqual([0, 1]);
  });

  it("makes a txn op without f a txn", () => {
    const h = parseHistory('{"type":"invoke","process":0,"value":[["append","x",1],["r","y",null]]}');
    expect(h[0].f).toBe("txn");
  });
});

describe("parseHistory: JSON array (elle-cli)", () => {
  it("reads an array with element lines", () => {
    const text =
      '[\n{"type":"invoke","process":0,"f":"txn","value":[["r","x",null]]},\n{"type":"ok","process":0,"f":"txn","value":[["r","x",[1]]]}\n]';
    expect(detectFormat(text)).toBe("json");
    const h = parseHistory(text);
    expect(h.map((o) => o.line)).toEqual([2, 3]);
    expect(h[1].value).toEqual([["r", "x", [1]]]);
  });

  it("names the element line of a bad element", () => {
    const e = parseError(
      '[\n{"type":"invoke","process":0,"f":"r"},\n{"type":"ok","process":0,"f":"r",}\n]',
      "h.json",
    );
    expect(e.line).toBe(3);
  });

  it("reports an unclosed array", () => {
    expect(parseError('[\n{"type":"invoke","process":0,"f":"r"}').message).toMatch(/never closed/);
  });
});

describe("parseHistory: Jepsen EDN", () => {
  it("reads one map per line, keywords as strings, nemesis process", () => {
    const text = [
      "{:type :invoke, :f :read, :value nil, :process 0, :time 10, :index 0}",
      "{:type :info, :f :start, :value nil, :process :nemesis, :time 11, :index 1}",
      "{:type :ok, :f :read, :value 3, :process 0, :time 12, :index 2}",
    ].join("\n");
    expect(detectFormat(text)).toBe("edn");
    const h = parseHistory(text);
    expect(h[0]).toMatchObject({ type: "invoke", f: "read", value: null, process: 0, time: 10, line: 1 });
    expect(h[1].process).toBe("nemesis");
    expect(h[2]).toMatchObject({ type: "ok", value: 3, line: 3 });
  });

  it("reads a vector of maps, txn values and missing f", () => {
    const text = `[{:type :invoke, :process 0, :value [[:append :x 3] [:r :y nil]]}
 {:type :ok, :process 0, :value [[:append :x 3] [:r :y [1 2]]]}]`;
    const h = parseHistory(text);
    expect(h).toHaveLength(2);
    expect(h[0].f).toBe("txn");
    expect(h[1].value).toEqual([
      ["append", "x", 3],
      ["r", "y", [1, 2]],
    ]);
    expect(h[1].line).toBe(2);
    expect(h.map((o) => o.index)).toEqual([0, 1]);
  });

  it("turns [k v] independent tuples into key + value", () => {
    const text = [
      "{:type :invoke, :f :cas, :value [7 [1 2]], :process 0}",
      "{:type :fail, :f :cas, :value [7 [1 2]], :process 0}",
      "{:type :invoke, :f :read, :value [8 nil], :process 1}",
      "{:type :ok, :f :read, :value [8 3], :process 1}",
      "{:type :info, :f :kill, :value nil, :process :nemesis}",
    ].join("\n");
    const h = parseHistory(text, { fileName: "history.edn" });
    expect(h[0]).toMatchObject({ key: 7, value: [1, 2] });
    expect(h[3]).toMatchObject({ key: 8, value: 3 });
    expect(h[4].key).toBeUndefined();
  });

  it("does not take an unkeyed cas-only history for [k v] tuples", () => {
    const h = parseHistory(
      "{:type :invoke, :f :cas, :value [1 2], :process 0}\n{:type :ok, :f :cas, :value [1 2], :process 0}",
    );
    expect(h[1].key).toBeUndefined();
    expect(h[1].value).toEqual([1, 2]);
  });

  it("does not treat a plain register history as keyed", () => {
    const h = parseHistory(
      "{:type :invoke, :f :read, :value nil, :process 0}\n{:type :ok, :f :read, :value 3, :process 0}",
    );
    expect(h[1].key).toBeUndefined();
    expect(h[1].value).toBe(3);
  });

  it("unwraps tagged ops, reads sets, comments and error keywords", () => {
    const text = `; a comment
#jepsen.history.Op{:index 0, :type :invoke, :f :add, :value 1, :process 2}
#jepsen.history.Op{:index 1, :type :info, :f :add, :value 1, :process 2, :error :timeout}
{:index 2, :type :ok, :f :read, :value #{1 2}, :process 3}`;
    const h = parseHistory(text);
    expect(h[0]).toMatchObject({ f: "add", process: 2, line: 2 });
    expect(h[1].error).toBe("timeout");
    expect(h[2].value).toEqual([1, 2]);
    expect(h[2].line).toBe(4);
  });

  it("names the line of unbalanced brackets and of bad fields", () => {
    const e = parseError(
      "{:type :invoke, :f :read, :process 0}\n{:type :ok, :f :read, :process 0, :value [1 2}\n",
      "h.edn",
    );
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/^h\.edn:2: expected "\]" but found "\}"/);
    const e2 = parseError(
      "{:type :invoke, :f :read, :process 0}\n\n{:type :okk, :f :read, :process 0}",
      "h.edn",
    );
    expect(e2.message).toBe('h.edn:3: expected "type" to be invoke|ok|fail|info, got "okk"');
  });
});

describe("toEdn", () => {
  it("round-trips a history through EDN", () => {
    const text = [
      '{"index":0,"type":"invoke","process":0,"f":"txn","value":[["append","x",3],["r","y",null]],"time":1}',
      '{"index":1,"type":"info","process":"nemesis","f":"partition","value":{"isolate":["eu-west"]},"time":2}',
      '{"index":2,"type":"ok","process":0,"f":"txn","value":[["append","x",3],["r","y",[1,2]]],"time":3,"region":"us-east"}',
      '{"index":3,"type":"invoke","process":1,"f":"write","value":"a b \\"c\\"","time":4}',
      '{"index":4,"type":"info","process":1,"f":"write","value":"a b \\"c\\"","time":5,"error":"timeout: no reply"}',
    ].join("\n");
    const h = parseHistory(text);
    const edn = toEdn(h);
    expect(edn).toContain('[[:append "x" 3] [:r "y" nil]]');
    expect(edn).toContain(":type :invoke");
    expect(edn).toContain(":process :nemesis");
    const back = parseHistory(edn);
    const strip = (ops: typeof h) => ops.map(({ line: _l, ...rest }) => rest);
    expect(strip(back)).toEqual(strip(h));
    const backVec = parseHistory(toEdn(h, { vector: true }));
    expect(strip(backVec)).toEqual(strip(h));
  });

  it("writes keyed histories as independent tuples and reads them back", () => {
    const h = parseHistory(
      '{"type":"invoke","process":0,"f":"cas","key":"k1","value":[1,2]}\n{"type":"ok","process":0,"f":"cas","key":"k1","value":[1,2]}',
    );
    const edn = toEdn(h);
    expect(edn).toContain(':value ["k1" [1 2]]');
    const back = parseHistory(edn);
    expect(back[1]).toMatchObject({ key: "k1", value: [1, 2] });
  });
});

describe("pairOps", () => {
  it("pairs per process, leaves pending ops open, skips the nemesis", () => {
    const h = parseHistory(
      [
        '{"type":"invoke","process":0,"f":"write","value":1}',
        '{"type":"invoke","process":1,"f":"read","value":null}',
        '{"type":"info","process":"nemesis","f":"start","value":null}',
        '{"type":"ok","process":1,"f":"read","value":1}',
        '{"type":"info","process":"nemesis","f":"stop","value":null}',
      ].join("\n"),
    );
    const pairs = pairOps(h);
    expect(pairs).toHaveLength(2);
    expect(pairs[0].completion).toBeUndefined();
    expect(pairs[1].completion?.value).toBe(1);
    expect(pairs[1].completeAt).toBe(3);
  });

  it("rejects a completion without an invoke, naming its line", () => {
    const h = parseHistory(
      '{"type":"invoke","process":0,"f":"write","value":1}\n{"type":"ok","process":1,"f":"write","value":1}',
    );
    expect(() => pairOps(h, { fileName: "h.jsonl" })).toThrow(
      /^h\.jsonl:2: "ok" completion of "write" on process 1 has no invoke/,
    );
  });

  it("rejects two pending invokes on one process, naming both lines", () => {
    const h = parseHistory(
      '{"type":"invoke","process":0,"f":"write","value":1}\n{"type":"invoke","process":0,"f":"read","value":null}',
    );
    expect(() => pairOps(h)).toThrow(
      /line 2: process 0 invokes "read" while its "write" from line 1 is still pending/,
    );
  });
});
