/**
 * Staleness: each stale read's age against hand-worked histories, a brute-force oracle over random
 * histories (fast-check), the bound that separates expected cost from finding, and the signal and
 * SLO built on it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { History, Op } from "../../checkers/history/op.ts";
import { checkSession } from "../../checkers/session.ts";
import { computeSignals } from "../../checkers/signals.ts";
import { checkSlo } from "../../checkers/slo.ts";
import { checkStaleness, computeStaleness } from "../../checkers/staleness.ts";

/** [process, f, value, invokeMs, completeMs, type?, region?] -> invoke + completion (times in ns). */
type Row = [number, string, unknown, number, number, ("ok" | "fail" | "info")?, string?];
function history(rows: Row[], key = 1): History {
  const ops: Omit<Op, "index">[] = [];
  for (const [process, f, value, t0, t1, type = "ok", region = "us-east"] of rows) {
    ops.push({ type: "invoke", process, f, key, value: f === "read" ? null : value, time: t0 * 1e6, region });
    ops.push({ type, process, f, key, value, time: t1 * 1e6, region });
  }
  return ops
    .map((o, i) => ({ o, i }))
    .sort((a, b) => (a.o.time as number) - (b.o.time as number) || a.i - b.i)
    .map(({ o }, index) => ({ ...o, index }) as Op);
}

describe("staleness", () => {
  it("ages a read of a replaced value from the replacing write's acknowledgement", () => {
    const s = computeStaleness(
      history([
        [0, "write", 1, 0, 10],
        [0, "write", 2, 20, 30],
        [1, "read", 1, 130, 135, "ok", "eu-west"],
      ]),
    );
    expect(s.staleReads).toHaveLength(1);
    expect(s.staleReads[0]).toMatchObject({ value: 1, shouldHaveSeen: 2, staleMs: 100, region: "eu-west" });
    expect(s.regions["eu-west"]).toMatchObject({ reads: 1, stale: 1 });
    expect(s.regions["eu-west"]!.staleMs.max).toBe(100);
  });

  it("ages from the first replacing write, not the latest", () => {
    const s = computeStaleness(
      history([
        [0, "write", 1, 0, 10],
        [0, "write", 2, 20, 30],
        [0, "write", 3, 40, 50],
        [1, "read", 1, 100, 101],
      ]),
    );
    expect(s.staleReads[0]).toMatchObject({ shouldHaveSeen: 2, staleMs: 70 });
  });

  it("counts a nil read after an acknowledged write as stale, and never a concurrent write", () => {
    const nil = computeStaleness(
      history([
        [0, "write", 1, 0, 10],
        [1, "read", null, 15, 16],
      ]),
    );
    expect(nil.staleReads[0]?.staleMs).toBe(5);
    // write 2 was invoked before write 1 completed: either order is possible, so reading 1 is fine.
    const concurrent = computeStaleness(
      history([
        [0, "write", 1, 0, 10],
        [2, "write", 2, 5, 12],
        [1, "read", 1, 20, 21],
      ]),
    );
    expect(concurrent.staleReads).toHaveLength(0);
    // a write still in flight when the read began does not count either
    const inflight = computeStaleness(
      history([
        [0, "write", 1, 0, 10],
        [2, "write", 2, 11, 30],
        [1, "read", 1, 20, 21],
      ]),
    );
    expect(inflight.staleReads).toHaveLength(0);
  });

  it("never ages a value whose write's outcome is unknown", () => {
    const s = computeStaleness(
      history([
        [0, "write", 1, 0, 10, "info"],
        [2, "write", 2, 20, 30],
        [1, "read", 1, 40, 41],
      ]),
    );
    expect(s.staleReads).toHaveLength(0);
  });

  it("passes stale reads within the bound and flags those beyond it with their age", () => {
    const h = history([
      [0, "write", 1, 0, 10],
      [0, "write", 2, 20, 30],
      [1, "read", 1, 50, 51],
      [1, "read", 1, 500, 501],
    ]);
    const r = checkStaleness(h, { staleBoundMs: 100 });
    expect(r.valid).toBe(false);
    expect(r.anomalies).toHaveLength(1);
    expect(r.anomalies[0]).toMatchObject({ type: "stale-read", staleMs: 470 });
    expect(r.anomalies[0]!.explanation).toMatch(/stale by 470 ms/);
    expect(r.stats).toMatchObject({ stale: 2, withinBound: 1, beyondBound: 1 });
    expect(checkStaleness(h, { staleBoundMs: 1000 }).valid).toBe(true);
    expect(checkStaleness(h).valid).toBe(false);
  });

  it("gives each read-your-writes anomaly of the session checker its read's age", () => {
    const r = checkSession(
      history([
        [0, "write", 1, 0, 10],
        [0, "write", 2, 20, 30],
        [0, "read", 1, 75, 76],
      ]),
    );
    expect(r.anomalies[0]).toMatchObject({ type: "read-your-writes", staleMs: 45 });
    expect(r.anomalies[0]!.explanation).toMatch(/The read was 45 ms stale\./);
  });

  it("refuses a history that is not a register history", () => {
    const h = [{ index: 0, type: "invoke", process: 0, f: "add", value: 1 } as Op];
    expect(() => checkStaleness(h)).toThrow(/register histories/);
  });

  it("is a signal per region and an SLO", () => {
    const h = history([
      [0, "write", 1, 0, 10],
      [0, "write", 2, 20, 30],
      [1, "read", 1, 230, 231, "ok", "eu-west"],
      [2, "read", 2, 230, 231, "ok", "us-east"],
    ]);
    const signals = computeSignals(h);
    expect(signals.staleness?.["eu-west"]).toMatchObject({ reads: 1, stale: 1, staleMs: { max: 200 } });
    expect(signals.staleness?.["us-east"]).toMatchObject({ reads: 1, stale: 0 });
    expect(signals.regions["us-east"]!.byF?.read?.ops).toBe(1);
    expect(checkSlo(signals, { maxStalenessMs: 250 }).valid).toBe(true);
    const slo = checkSlo(signals, { maxStalenessMs: 150 });
    expect(slo.valid).toBe(false);
    expect(slo.anomalies[0]!.explanation).toMatch(/eu-west: 1 of 1 reads were stale, up to 200 ms/);
  });

  it("agrees with a brute-force oracle on random histories", () => {
    const row = fc.tuple(
      fc.integer({ min: 0, max: 3 }),
      fc.constantFrom("read", "write"),
      fc.integer({ min: 0, max: 200 }),
      fc.integer({ min: 1, max: 30 }),
      fc.constantFrom("ok", "ok", "ok", "info", "fail"),
    );
    fc.assert(
      fc.property(fc.array(row, { maxLength: 25 }), (raw) => {
        // Each process runs one op at a time; write values are unique; reads return a written value or nil.
        const ends = new Map<number, number>();
        let value = 0;
        const rows: Row[] = [];
        for (const [p, f, start, len, type] of raw) {
          const t0 = Math.max(start, (ends.get(p) ?? -1) + 1);
          ends.set(p, t0 + len);
          if (f === "write") rows.push([p, "write", ++value, t0, t0 + len, type as Row[5]]);
          else rows.push([p, "read", value === 0 ? null : start % (value + 1) || null, t0, t0 + len]);
        }
        const h = history(rows);
        const got = computeStaleness(h).staleReads.map((s) => [s.read.index, s.staleMs]);
        expect(got).toEqual(oracle(h));
      }),
      { numRuns: 300 },
    );
  });
});

/** For each ok read: min ack time of an acked write that acked before the read and was invoked after
 *  the read value's write was acked (any acked write, for nil); its age in ms. */
function oracle(h: History): [number, number][] {
  const inv = new Map<unknown, Op>();
  const pairs: { i: Op; c: Op }[] = [];
  for (const op of h) {
    if (op.type === "invoke") inv.set(op.process, op);
    else pairs.push({ i: inv.get(op.process)!, c: op });
  }
  const writes = pairs.filter((p) => p.i.f === "write" && p.c.type === "ok");
  const out: [number, number][] = [];
  for (const r of pairs) {
    if (r.i.f !== "read" || r.c.type !== "ok") continue;
    const v = r.c.value;
    let after = Number.NEGATIVE_INFINITY;
    if (v !== null) {
      const wv = pairs.find((p) => p.i.f === "write" && p.i.value === v);
      if (!wv || wv.c.type !== "ok") continue;
      after = wv.c.time!;
    }
    const repl = writes.filter((w) => w.i.time! > after && w.c.time! < r.i.time!);
    if (repl.length === 0) continue;
    const first = Math.min(...repl.map((w) => w.c.time!));
    out.push([r.c.index, Math.round(((r.i.time! - first) / 1e6) * 100) / 100]);
  }
  return out;
}
