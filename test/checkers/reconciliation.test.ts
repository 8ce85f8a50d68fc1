/**
 * "Nothing lost silently": an acknowledged add must be in the final reads or in a pending queue
 * entry; one in neither is a lost write; without final reads there is no verdict.
 */
import { describe, expect, it } from "vitest";
import type { History, Op } from "../../checkers/history/op.ts";
import { checkNothingLostSilently, reconciliationChecker } from "../../checkers/reconciliation.ts";

function history(adds: number[], finalRead: number[]): History {
  const ops: Omit<Op, "index">[] = [];
  let t = 0;
  for (const e of adds) {
    ops.push({ type: "invoke", process: 0, f: "add", key: 0, value: e, time: t++ });
    ops.push({ type: "ok", process: 0, f: "add", key: 0, value: e, time: t++ });
  }
  ops.push({ type: "invoke", process: 9, f: "read", key: 0, value: null, time: t++, final: true });
  ops.push({ type: "ok", process: 9, f: "read", key: 0, value: finalRead, time: t++, final: true });
  return ops.map((o, index) => ({ ...o, index }) as Op);
}

describe("nothing-lost-silently checker", () => {
  it("passes when every acknowledged add is in the final state or a pending entry", () => {
    const pending = [{ node: "a", key: 0, local: [1], remote: [3] }];
    const r = checkNothingLostSilently(history([1, 2, 3], [1, 2]), pending);
    expect(r.valid).toBe(true);
    expect(r.stats).toMatchObject({ acknowledged: 3, inQueue: 1, lost: 0 });
  });

  it("flags an add in neither", async () => {
    const r = checkNothingLostSilently(history([1, 2, 3], [1]), []);
    expect(r.valid).toBe(false);
    expect(r.anomalies.map((a) => a.ops![0]!.value)).toEqual([2, 3]);
    expect(r.anomalies[0]!.explanation).toMatch(/dropped without a record/);
    const signals = {
      reconciliation: { pendingEntries: [{ node: "a", key: 0, local: [2, 3], remote: [] }] },
    };
    expect((await reconciliationChecker.check(history([1, 2, 3], [1]), {}, { signals })).valid).toBe(true);
  });

  it("gives no verdict without final reads", () => {
    const h = history([1], []).filter((o) => !o.final);
    expect(checkNothingLostSilently(h).valid).toBe("unknown");
  });
});
