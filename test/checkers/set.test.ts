import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { History, Op } from "../../checkers/history/op.ts";
import { checkSet } from "../../checkers/set.ts";

/** A tiny history builder: ops are recorded in the order the calls are made (real-time order). */
function builder() {
  const h: History = [];
  const rec = (o: Omit<Op, "index">) => h.push({ index: h.length, ...o } as Op);
  return {
    h,
    invoke(process: number, f: "add" | "read", value: unknown, key = 0) {
      rec({ type: "invoke", process, f, key, value: f === "read" ? null : value });
    },
    done(process: number, f: "add" | "read", value: unknown, type: "ok" | "fail" | "info" = "ok", key = 0) {
      rec({ type, process, f, key, value });
    },
    add(process: number, e: number, type: "ok" | "fail" | "info" = "ok", key = 0) {
      this.invoke(process, "add", e, key);
      this.done(process, "add", e, type, key);
    },
    read(process: number, elements: number[], key = 0) {
      this.invoke(process, "read", null, key);
      this.done(process, "read", elements, "ok", key);
    },
  };
}

const types = (h: History) => checkSet(h).anomalies.map((a) => a.type);

describe("set checker (set-full semantics)", () => {
  it("an acknowledged add that every later read sees is fine", () => {
    const b = builder();
    b.add(0, 1);
    b.read(1, [1]);
    b.read(2, [1]);
    const r = checkSet(b.h);
    expect(r.valid).toBe(true);
    expect(r.stats).toMatchObject({ stable: 1, lost: 0, addsAcknowledged: 1 });
  });

  it("an acknowledged add missing from the final read is a lost write", () => {
    const b = builder();
    b.add(0, 1);
    b.add(0, 2);
    b.read(1, [2]);
    const r = checkSet(b.h);
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(["lost-write"]);
    expect(r.anomalies[0]).toMatchObject({ type: "lost-write", element: 1, acknowledged: true, key: 0 });
    expect(r.stats).toMatchObject({ lost: 1, lostAcknowledged: 1 });
  });

  it("an element seen, then gone from every later read, is lost", () => {
    const b = builder();
    b.add(0, 1);
    b.read(1, [1]);
    b.read(2, []);
    expect(types(b.h)).toEqual(["lost-write"]);
  });

  it("a read that misses a known element that later reads see is a stale read, not a loss", () => {
    const b = builder();
    b.add(0, 1);
    b.read(1, []);
    b.read(2, [1]);
    const r = checkSet(b.h);
    expect(r.anomalyTypes).toEqual(["stale-read"]);
    expect(r.anomalies[0]).toMatchObject({ elements: [1] });
    expect(r.stats).toMatchObject({ lost: 0, staleElements: 1, staleReads: 1 });
  });

  it("a read concurrent with the add may miss it", () => {
    const b = builder();
    b.invoke(1, "read", null);
    b.invoke(0, "add", 1);
    b.done(0, "add", 1);
    b.done(1, "read", []);
    b.read(2, [1]);
    expect(checkSet(b.h).valid).toBe(true);
  });

  it("an add with an unknown outcome that a read saw, then lost, is a lost write", () => {
    const b = builder();
    b.add(0, 1, "info");
    b.read(1, [1]);
    b.read(2, []);
    const r = checkSet(b.h);
    expect(r.anomalies[0]).toMatchObject({ type: "lost-write", acknowledged: false });
    expect(r.stats).toMatchObject({ lost: 1, lostAcknowledged: 0 });
  });

  it("an add with an unknown outcome that nobody saw says nothing", () => {
    const b = builder();
    b.add(0, 1, "info");
    b.add(1, 2);
    b.read(2, [2]);
    expect(checkSet(b.h).valid).toBe(true);
  });

  it("elements never added, or whose add failed, are unexpected", () => {
    const b = builder();
    b.add(0, 1, "fail");
    b.add(1, 2);
    b.read(2, [1, 2, 99]);
    const r = checkSet(b.h);
    expect(r.anomalyTypes).toEqual(["unexpected"]);
    expect(r.anomalies.map((a) => a.element).sort()).toEqual([1, 99]);
  });

  it("a read returning an element twice is a duplicate", () => {
    const b = builder();
    b.add(0, 1);
    b.read(1, [1, 1]);
    expect(types(b.h)).toEqual(["duplicate"]);
  });

  it("acknowledged adds no read began after are never-read: information, not an anomaly", () => {
    const b = builder();
    b.add(0, 1);
    b.read(1, [1]);
    b.add(0, 2);
    const r = checkSet(b.h);
    expect(r.valid).toBe(true);
    expect(r.stats).toMatchObject({ neverRead: 1 });
    expect(r.neverRead).toEqual([{ key: 0, element: 2 }]);
  });

  it("with nothing confirmed the verdict is unknown", () => {
    const b = builder();
    b.add(0, 1);
    expect(checkSet(b.h)).toMatchObject({ valid: "unknown", anomalies: [] });
    expect(checkSet([])).toMatchObject({ valid: "unknown" });
  });

  it("keys are independent sets", () => {
    const b = builder();
    b.add(0, 1, "ok", 0);
    b.read(1, [], 1);
    b.read(2, [1], 0);
    expect(checkSet(b.h).valid).toBe(true);
    b.read(3, [1], 1);
    expect(types(b.h)).toEqual(["unexpected"]);
  });

  it("cites reads without copying their values (the history has them)", () => {
    const b = builder();
    b.add(0, 1);
    b.add(0, 2);
    b.read(1, [2]);
    const a = checkSet(b.h).anomalies[0]!;
    const read = a.ops!.find((o) => o.f === "read")!;
    expect(read.value).toBeUndefined();
    expect(read.readSize).toBe(1);
    expect(read.index).toBe(b.h.length - 1);
  });

  it("rejects a read whose value is not a list, naming where", () => {
    const b = builder();
    b.invoke(0, "read", null);
    b.done(0, "read", 5);
    expect(() => checkSet(b.h)).toThrow(/index 1.*expected a list/);
  });
});

/**
 * A sequential execution: ops take effect one after the other at points 0, 1, 2, ...; each op's
 * interval [invoke, complete] contains its point, and intervals overlap at random. Reads return
 * exactly what was added to their key before their point; failed adds take no effect.
 */
const execution = fc
  .array(
    fc.record({
      f: fc.constantFrom("add", "add", "read"),
      key: fc.integer({ min: 0, max: 2 }),
      outcome: fc.constantFrom("ok", "ok", "ok", "info", "fail"),
      before: fc.integer({ min: 0, max: 30 }),
      after: fc.integer({ min: 0, max: 30 }),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .map((specs) => {
    const sets = new Map<number, number[]>();
    const events: { t: number; op: Omit<Op, "index"> }[] = [];
    specs.forEach((s, i) => {
      const point = i * 10;
      const process = i;
      const inv = point - s.before - 0.5;
      const comp = point + s.after + 0.5;
      const set = sets.get(s.key) ?? [];
      if (s.f === "add") {
        const element = i + 1;
        if (s.outcome !== "fail") sets.set(s.key, [...set, element]);
        events.push({ t: inv, op: { type: "invoke", process, f: "add", key: s.key, value: element } });
        // An info add may never complete in the history at all.
        if (s.outcome !== "info" || s.after % 2 === 0)
          events.push({
            t: comp,
            op: { type: s.outcome as Op["type"], process, f: "add", key: s.key, value: element },
          });
      } else {
        events.push({ t: inv, op: { type: "invoke", process, f: "read", key: s.key, value: null } });
        events.push({ t: comp, op: { type: "ok", process, f: "read", key: s.key, value: [...set] } });
      }
    });
    events.sort((a, b) => a.t - b.t);
    const history: History = events.map((e, index) => ({ index, ...e.op }) as Op);
    return { history, sets };
  });

describe("set checker properties", () => {
  it("histories from a sequential execution with overlapping intervals are never invalid", () => {
    fc.assert(
      fc.property(execution, ({ history }) => {
        const r = checkSet(history);
        expect(r.anomalies).toEqual([]);
        expect(r.valid).not.toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("dropping an acknowledged element from a final read is caught as exactly that lost write", () => {
    fc.assert(
      fc.property(execution, fc.nat(), ({ history, sets }, pick) => {
        const acked = history.filter((o) => o.f === "add" && o.type === "ok");
        fc.pre(acked.length > 0);
        const victim = acked[pick % acked.length]!;
        const key = victim.key as number;
        const final = (sets.get(key) ?? []).filter((e) => e !== victim.value);
        const n = history.length;
        const h: History = [
          ...history,
          { index: n, type: "invoke", process: 10_000, f: "read", key, value: null },
          { index: n + 1, type: "ok", process: 10_000, f: "read", key, value: final },
        ];
        const r = checkSet(h);
        expect(r.valid).toBe(false);
        const lost = r.anomalies.filter((a) => a.type === "lost-write");
        expect(lost.map((a) => a.element)).toEqual([victim.value]);
        expect(r.anomalies.every((a) => a.type === "lost-write" || a.type === "stale-read")).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
