/**
 * The last-writer-wins clock checker: a discarded version whose write began after the winner was
 * acknowledged is a lost write explained by real times and stamps; a concurrent loser is not; no
 * discard records means no verdict.
 */
import { describe, expect, it } from "vitest";
import type { History, Op } from "../../checkers/history/op.ts";
import { checkLwwClock, lwwClockChecker } from "../../checkers/lww-clock.ts";

/** [process, value, invokeMs, completeMs, node] writes of key 1 (times in ns). */
function history(rows: [number, number, number, number, string][]): History {
  const ops: Omit<Op, "index">[] = [];
  for (const [process, value, t0, t1, node] of rows) {
    ops.push({ type: "invoke", process, f: "write", key: 1, value, time: t0 * 1e6, node });
    ops.push({ type: "ok", process, f: "write", key: 1, value, time: t1 * 1e6, node });
  }
  return ops
    .sort((a, b) => (a.time as number) - (b.time as number))
    .map((o, index) => ({ ...o, index }) as Op);
}

const discard = (lost: number, lostAt: string, kept: number, keptAt: string) => ({
  node: "pg-eu-west-1",
  key: 1,
  lost: { value: lost, at: lostAt, by: "pg-us-east-1" },
  keptBy: { value: kept, at: keptAt, by: "pg-eu-west-1" },
});

describe("lww-clock checker", () => {
  const h = history([
    [0, 10, 0, 5, "pg-eu-west-1"],
    [1, 20, 100, 104, "pg-us-east-1"],
    [2, 30, 2, 8, "pg-us-east-1"],
  ]);

  it("flags a later acknowledged write dropped for an earlier one with a later stamp", () => {
    const r = checkLwwClock(h, [discard(20, "11:00:00.100000", 10, "11:00:02.000000")]);
    expect(r.valid).toBe(false);
    expect(r.anomalies[0]).toMatchObject({ type: "lost-write", stampSkewMs: 1900, realGapMs: 95 });
    expect(r.anomalies[0]!.explanation).toMatch(/real time 0\.100 s-0\.104 s.*stamped 11:00:00\.100000/);
    expect(r.anomalies[0]!.explanation).toMatch(/pg-eu-west-1's clock was ahead/);
  });

  it("never flags a loser that overlapped the winner", () => {
    expect(checkLwwClock(h, [discard(30, "11:00:00.002", 10, "11:00:00.003")]).valid).toBe(true);
  });

  it("gives no verdict without discard records, and reads them from the run's signals", async () => {
    expect(checkLwwClock(h, undefined).valid).toBe("unknown");
    const signals = { conflicts: { discarded: { shown: [discard(20, "11:00:00.1", 10, "11:00:02.0")] } } };
    expect((await lwwClockChecker.check(h, {}, { signals })).valid).toBe(false);
  });
});
