import { describe, expect, it } from "vitest";
import type { Op } from "../../checkers/history/op.ts";
import { getModel, ModelInputError, modelNames } from "../../checkers/models/index.ts";

const inv = (f: string, value: unknown): Op => ({ index: 0, type: "invoke", process: 0, f, value });
const ok = (f: string, value: unknown): Op => ({ index: 1, type: "ok", process: 0, f, value });

/** Runs ok ops in order from the initial state; the states described, or "illegal at i". */
function run(model: string, initial: unknown, ops: [string, unknown, unknown?][]): string[] {
  const m = getModel(model);
  let s = m.init(initial, undefined);
  const out: string[] = [];
  ops.forEach(([f, invValue, okValue], i) => {
    const input = m.prepare(inv(f, invValue), ok(f, okValue === undefined ? invValue : okValue), "ok");
    const next = m.step(s, input);
    if (next === undefined) {
      out.push(`illegal at ${i}`);
      return;
    }
    s = next;
    out.push(m.describeState(s));
  });
  return out;
}

describe("models", () => {
  it("are all registered by name", () => {
    expect(modelNames).toEqual([
      "register",
      "cas-register",
      "multi-register",
      "kv",
      "set",
      "mutex",
      "fifo-queue",
    ]);
  });

  it("cas-register: read, write, cas; structural equality of values", () => {
    expect(
      run("cas-register", null, [
        ["read", null, null],
        ["write", { b: 2, a: 1 }],
        ["read", null, { a: 1, b: 2 }],
        ["cas", [{ a: 1, b: 2 }, 3]],
        ["cas", [1, 2]],
      ]),
    ).toEqual(["null", '{"a":1,"b":2}', '{"a":1,"b":2}', "3", "illegal at 4"]);
    expect(() => getModel("register").prepare(inv("cas", [1, 2]), undefined, "info")).toThrow(
      ModelInputError,
    );
  });

  it("kv: get / put / append as Redis strings", () => {
    expect(
      run("kv", undefined, [
        ["get", null, null],
        ["append", "a"],
        ["append", 1],
        ["get", null, "a1"],
        ["put", "x"],
        ["get", null, "a1"],
      ]),
    ).toEqual(["null", '"a"', '"a1"', '"a1"', '"x"', "illegal at 5"]);
  });

  it("set: adds are idempotent, reads compare as sets", () => {
    expect(
      run(
        "set",
        [3],
        [
          ["add", 1],
          ["add", 1],
          ["read", null, [1, 3]],
          ["read", null, [3, 1, 1]],
          ["read", null, [1]],
        ],
      ),
    ).toEqual(["#{1 3}", "#{1 3}", "#{1 3}", "#{1 3}", "illegal at 4"]);
  });

  it("mutex: acquire only when free, release only when held", () => {
    expect(
      run("mutex", undefined, [
        ["acquire", null],
        ["release", null],
        ["release", null],
      ]),
    ).toEqual(["held", "free", "illegal at 2"]);
  });

  it("fifo-queue: dequeues in order, null when empty", () => {
    expect(
      run("fifo-queue", undefined, [
        ["enqueue", 1],
        ["enqueue", 2],
        ["dequeue", null, 1],
        ["dequeue", null, 1],
      ]),
    ).toEqual(["[1]", "[1 2]", "[2]", "illegal at 3"]);
    expect(run("fifo-queue", undefined, [["dequeue", null, null]])).toEqual(["[]"]);
  });

  it("multi-register: txns read their own writes; resources are the registers", () => {
    expect(
      run("multi-register", { x: 0 }, [
        ["txn", [["read", "x", null]], [["read", "x", 0]]],
        [
          "txn",
          [
            ["write", "y", 1],
            ["r", "y", null],
          ],
          [
            ["write", "y", 1],
            ["r", "y", 1],
          ],
        ],
        ["txn", [["read", "x", null]], [["read", "x", 1]]],
      ]),
    ).toEqual(["{x=0}", "{x=0, y=1}", "illegal at 2"]);
    const m = getModel("multi-register");
    const input = m.prepare(
      inv("txn", [
        ["read", "x", null],
        ["write", "y", 2],
        ["write", "x", 1],
      ]),
      undefined,
      "info",
    );
    expect(m.resources?.(input)).toEqual(["x", "y"]);
    expect(() => m.prepare(inv("txn", [["incr", "x", 1]]), undefined, "info")).toThrow(
      /unknown micro-op "incr"/,
    );
  });

  it("info reads are read-only and crashed writes are observed only by reads of their value", () => {
    const m = getModel("cas-register");
    const w3 = m.prepare(inv("write", 3), undefined, "info");
    const r3 = m.prepare(inv("read", null), ok("read", 3), "ok");
    const r4 = m.prepare(inv("read", null), ok("read", 4), "ok");
    const cas3 = m.prepare(inv("cas", [3, 5]), undefined, "info");
    expect(m.readOnly(m.prepare(inv("read", null), undefined, "info"))).toBe(true);
    expect(m.canObserve(r3, w3)).toBe(true);
    expect(m.canObserve(r4, w3)).toBe(false);
    expect(m.canObserve(cas3, w3)).toBe(true);
  });

  it("rejects unknown f with the accepted ones", () => {
    for (const name of modelNames) {
      expect(() => getModel(name).prepare(inv("frobnicate", 1), undefined, "info")).toThrow(
        /unknown f "frobnicate"/,
      );
    }
  });
});
