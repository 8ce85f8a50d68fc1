/**
 * home-linearizable: each key judged by its writes and the reads served by its home node. Stale
 * reads on another node are not its business (geo-partitioning's price); a home that loses or
 * never shows an acknowledged write is.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkHomeLinearizable, homeNodes } from "../../checkers/home-linearizable.ts";
import type { History, Op } from "../../checkers/history/op.ts";

/** A history builder: sequential ops, each invoke immediately completed. */
function build(
  steps: { p: number; f: string; key: number; v: unknown; out?: unknown; node: string }[],
): History {
  const h: Op[] = [];
  let t = 0;
  for (const s of steps) {
    h.push({
      index: h.length,
      type: "invoke",
      process: s.p,
      f: s.f,
      key: s.key,
      value: s.f === "read" ? null : s.v,
      node: s.node,
      time: (t += 1e6),
    } as Op);
    h.push({
      index: h.length,
      type: "ok",
      process: s.p,
      f: s.f,
      key: s.key,
      value: s.f === "read" ? s.out : s.v,
      node: s.node,
      time: (t += 1e6),
    } as Op);
  }
  return h;
}

describe("home-linearizable", () => {
  it("finds each key's home: the node taking most of its writes", () => {
    const h = build([
      { p: 0, f: "write", key: 1, v: 1, node: "a" },
      { p: 1, f: "write", key: 1, v: 2, node: "a" },
      { p: 2, f: "write", key: 1, v: 3, node: "b" },
      { p: 0, f: "write", key: 2, v: 4, node: "b" },
    ]);
    expect(homeNodes(h)).toEqual(
      new Map([
        ["1", "a"],
        ["2", "b"],
      ]),
    );
  });

  it("passes stale reads on another node, fails a lost write at home, and lists misrouted writes", () => {
    const stale = build([
      { p: 0, f: "write", key: 1, v: 1, node: "a" },
      { p: 0, f: "write", key: 1, v: 2, node: "a" },
      { p: 1, f: "read", key: 1, v: null, out: 1, node: "b" }, // stale, elsewhere: not judged
      { p: 0, f: "read", key: 1, v: null, out: 2, node: "a" },
    ]);
    const ok = checkHomeLinearizable(stale, { model: "cas-register", initial: null });
    expect(ok.valid).toBe(true);
    expect(ok.stats!.readsElsewhere).toBe(1);

    const lost = build([
      { p: 0, f: "write", key: 1, v: 1, node: "a" },
      { p: 1, f: "write", key: 1, v: 7, node: "b" }, // misrouted, acknowledged
      { p: 0, f: "write", key: 1, v: 2, node: "a" },
      { p: 0, f: "read", key: 1, v: null, out: 7, node: "a" }, // the home shows an overwritten value
    ]);
    const bad = checkHomeLinearizable(lost, { model: "cas-register", initial: null });
    expect(bad.valid).toBe(false);
    expect(bad.anomalyTypes).toEqual(["nonlinearizable"]);
    expect(bad.stats!.keysWrittenOnSeveralNodes).toBe(1);
    expect(bad.misrouted).toEqual([expect.objectContaining({ key: 1, home: "a", node: "b", writes: 1 })]);
  });

  it("property: reads at home of the latest write pass, whatever stale values other nodes return", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ write: fc.boolean(), staleBack: fc.nat(5) }), { minLength: 1, maxLength: 40 }),
        (plan) => {
          const steps: Parameters<typeof build>[0] = [];
          const written: number[] = [];
          let v = 0;
          for (const s of plan) {
            if (s.write || written.length === 0) {
              written.push(++v);
              steps.push({ p: 0, f: "write", key: 0, v, node: "home" });
            } else {
              steps.push({
                p: 0,
                f: "read",
                key: 0,
                v: null,
                out: written[written.length - 1],
                node: "home",
              });
            }
            // Another node serves an older value (or nothing yet): never judged.
            const back = written.length - 1 - s.staleBack;
            steps.push({
              p: 1,
              f: "read",
              key: 0,
              v: null,
              out: back >= 0 ? written[back] : null,
              node: "away",
            });
          }
          return checkHomeLinearizable(build(steps), { model: "cas-register", initial: null }).valid === true;
        },
      ),
      { numRuns: 100 },
    );
  });
});
