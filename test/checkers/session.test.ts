import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { History, Op } from "../../checkers/history/op.ts";
import { checkSession } from "../../checkers/session.ts";

/** [process, f, value, invokeTime, completeTime, type?] -> invoke + completion ops. */
type Row = [number, string, unknown, number, number, ("ok" | "fail" | "info")?];
function history(rows: Row[], key = 1): History {
  const ops: Omit<Op, "index">[] = [];
  for (const [process, f, value, t0, t1, type = "ok"] of rows) {
    ops.push({ type: "invoke", process, f, key, value: f === "read" ? null : value, time: t0 });
    ops.push({ type, process, f, key, value, time: t1 });
  }
  return ops
    .sort((a, b) => (a.time as number) - (b.time as number))
    .map((o, index) => ({ ...o, index }) as Op);
}

describe("session guarantees checker", () => {
  it("flags a session that reads the initial value after its own acknowledged write", () => {
    const r = checkSession(
      history([
        [0, "write", 1, 0, 1],
        [0, "read", null, 2, 3],
      ]),
    );
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(["read-your-writes"]);
    expect(r.anomalies[0].ops).toHaveLength(2);
  });

  it("flags a read of a value whose write finished before the session's own write began", () => {
    const r = checkSession(
      history([
        [1, "write", 1, 0, 1],
        [0, "write", 2, 2, 3],
        [0, "read", 1, 4, 5],
      ]),
    );
    expect(r.anomalyTypes).toEqual(["read-your-writes"]);
  });

  it("does not hold a concurrent write against the session (it may have landed later)", () => {
    const r = checkSession(
      history([
        [1, "write", 1, 0, 3],
        [0, "write", 2, 1, 2],
        [0, "read", 1, 4, 5],
      ]),
    );
    expect(r.valid).toBe(true);
  });

  it("counts a successful cas as the session's write, and ignores a failed one", () => {
    const bad = checkSession(
      history([
        [1, "write", 1, 0, 1],
        [0, "cas", [1, 2], 2, 3],
        [0, "read", 1, 4, 5],
      ]),
    );
    expect(bad.anomalyTypes).toEqual(["read-your-writes"]);
    const ok = checkSession(
      history([
        [1, "write", 1, 0, 1],
        [0, "cas", [7, 2], 2, 3, "fail"],
        [0, "read", 1, 4, 5],
      ]),
    );
    expect(ok.valid).toBe(true);
  });

  it("flags monotonic-reads: a later read returns a definitely older value", () => {
    const r = checkSession(
      history([
        [2, "write", 1, 0, 1],
        [2, "write", 2, 2, 3],
        [0, "read", 2, 4, 5],
        [0, "read", 1, 6, 7],
      ]),
    );
    expect(r.anomalyTypes).toEqual(["monotonic-reads"]);
  });

  it("keeps keys apart", () => {
    const h = [...history([[0, "write", 1, 0, 1]], 1), ...history([[0, "read", null, 2, 3]], 2)]
      .sort((a, b) => a.time! - b.time!)
      .map((o, index) => ({ ...o, index }));
    expect(checkSession(h).valid).toBe(true);
  });

  it("never flags a history made from a sequential execution with overlapping intervals", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(4), fc.nat(2), fc.nat(15), fc.nat(15), fc.nat(3)), {
          minLength: 1,
          maxLength: 80,
        }),
        (steps) => {
          let state: number | null = null;
          let next = 1;
          const lastEnd = new Map<number, number>();
          const rows: Row[] = [];
          steps.forEach(([p, kind, before, after, stale], i) => {
            const lp = 100 + i * 10; // linearization point
            const start = Math.max((lastEnd.get(p) ?? -1) + 1, lp - before);
            const process = start <= lp ? p : 1000 + i; // busy process: a fresh one takes the op
            const t0 = Math.min(start, lp);
            const t1 = lp + after;
            lastEnd.set(process, t1);
            if (kind === 0) rows.push([process, "read", state, t0, t1]);
            else if (kind === 1 || state === null) rows.push([process, "write", (state = next++), t0, t1]);
            else if (stale === 0) rows.push([process, "cas", [state - 100, next++], t0, t1, "fail"]);
            else rows.push([process, "cas", [state, (state = next++)], t0, t1]);
          });
          expect(checkSession(history(rows)).valid).toBe(true);
        },
      ),
    );
  });
});
