import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateHistory } from "../../bench/elle-gen.ts";
import { classifyCycle } from "../../checkers/elle/cycles.ts";
import { PROCESS, REALTIME, RW, WR, WW } from "../../checkers/elle/graph.ts";
import { type ElleResult, elleListAppendChecker, elleRwRegisterChecker } from "../../checkers/elle/index.ts";
import type { CycleExplanation } from "../../checkers/elle/explanation.ts";
import type { History } from "../../checkers/history/op.ts";

/** Serial histories (each txn applied atomically inside its interval) with random overlap. */
const serialHistory = (workload: "list-append" | "rw-register") =>
  fc.record({
    txns: fc.integer({ min: 1, max: 150 }),
    concurrency: fc.integer({ min: 1, max: 8 }),
    activeKeys: fc.integer({ min: 1, max: 5 }),
    appendsPerKey: fc.integer({ min: 1, max: 30 }),
    seed: fc.integer(),
    failRate: fc.constantFrom(0, 0.1),
    infoRate: fc.constantFrom(0, 0.1),
    workload: fc.constant(workload),
  });

function withoutTimes(h: History): History {
  return h.map(({ time: _time, ...op }) => op);
}

describe("elle properties", () => {
  it("serial list-append histories with overlapping intervals are strict-serializable", async () => {
    await fc.assert(
      fc.asyncProperty(serialHistory("list-append"), fc.boolean(), async (o, dropTimes) => {
        const h = generateHistory(o);
        const r = (await elleListAppendChecker.check(dropTimes ? withoutTimes(h) : h, {})) as ElleResult;
        expect(r.anomalyTypes).toEqual([]);
        // A history with no dependency between transactions (e.g. one txn) is "unknown", as in Elle.
        expect(r.valid).toBe(r.stats?.edges === 0 ? "unknown" : true);
      }),
      { numRuns: 150 },
    );
  });

  it("serial rw-register histories with overlapping intervals are strict-serializable", async () => {
    await fc.assert(
      fc.asyncProperty(serialHistory("rw-register"), async (o) => {
        const h = generateHistory(o);
        const opts = {
          consistencyModel: "strict-serializable",
          linearizableKeys: true,
          sequentialKeys: true,
        };
        const r = (await elleRwRegisterChecker.check(h, opts)) as ElleResult;
        expect(r.anomalyTypes).toEqual([]);
        expect(r.valid).toBe(r.stats?.edges === 0 ? "unknown" : true);
      }),
      { numRuns: 150 },
    );
  });

  it("a stale read planted into a serial history is caught", async () => {
    await fc.assert(
      fc.asyncProperty(serialHistory("list-append"), fc.nat(), async (o, pick) => {
        const h = generateHistory({ ...o, failRate: 0, infoRate: 0 });
        // Candidates: a read whose last element was appended by a txn that completed before
        // the reader was invoked. Dropping that element makes the read stale in real time.
        const invokedAt = new Map<unknown, number>();
        const appendDone = new Map<string, number>();
        const candidates: { at: number; invoked: number }[] = [];
        h.forEach((op, i) => {
          if (op.type === "invoke") {
            invokedAt.set(op.process, i);
            return;
          }
          const mops = op.value as [string, unknown, unknown][];
          for (const [f, k, v] of mops) {
            if (f !== "r") continue;
            const list = v as unknown[];
            const done = list.length > 0 ? appendDone.get(`${k}:${list[list.length - 1]}`) : undefined;
            if (done !== undefined && done < invokedAt.get(op.process)!) {
              candidates.push({ at: i, invoked: invokedAt.get(op.process)! });
              break;
            }
          }
          for (const [f, k, v] of mops) if (f === "append") appendDone.set(`${k}:${v}`, i);
        });
        fc.pre(candidates.length > 0);
        const { at: i, invoked } = candidates[pick % candidates.length];
        let dropped = false;
        const value = (h[i].value as [string, unknown, unknown][]).map(([f, k, v]) => {
          if (f !== "r" || dropped) return [f, k, v];
          const list = v as unknown[];
          const done = list.length > 0 ? appendDone.get(`${k}:${list[list.length - 1]}`) : undefined;
          if (done === undefined || done >= invoked) return [f, k, v];
          dropped = true;
          return [f, k, list.slice(0, -1)];
        });
        const planted = h.map((op, j) => (j === i ? { ...op, value } : op));
        const r = (await elleListAppendChecker.check(planted, {})) as ElleResult;
        expect(r.valid).toBe(false);
        expect(r.anomalyTypes.length).toBeGreaterThan(0);
        const serializable = (await elleListAppendChecker.check(planted, {
          consistencyModel: "serializable",
        })) as ElleResult;
        expect(serializable.anomalyTypes).not.toContain("garbage-read");
      }),
      { numRuns: 100 },
    );
  });

  it("a cycle search out of time still reports a cycle per component, and says it stopped", async () => {
    // Non-atomic micro-ops: read-committed-like behaviour, hundreds of cyclic components.
    const h = generateHistory({ txns: 3000, concurrency: 10, activeKeys: 5, seed: 3, atomic: false });
    const full = (await elleListAppendChecker.check(h, {})) as ElleResult;
    expect(full.timedOut).toBe(false);
    expect(full.valid).toBe(false);
    const rushed = (await elleListAppendChecker.check(h, { timeLimitMs: 0 })) as ElleResult;
    expect(rushed.timedOut).toBe(true);
    expect(rushed.valid).toBe(false);
    expect(rushed.reason).toMatch(/cycle search stopped at the time limit \(0 ms\).*found so far: .*G/);
    expect(rushed.stats?.sccs).toBe(full.stats?.sccs);
    // Every component still yields one explained cycle.
    const cycles = (r: ElleResult) =>
      Object.entries(r.stats ?? {})
        .filter(([k]) => k.startsWith("count:G") && !/count:G1[ab]$/.test(k))
        .reduce((n, [, v]) => n + Number(v), 0);
    expect(cycles(rushed)).toBe(rushed.stats?.sccs);
    expect(cycles(full)).toBeGreaterThanOrEqual(cycles(rushed));
  });

  it.each(["list-append", "rw-register"] as const)(
    "non-atomic %s histories: every reported cycle is a closed chain of explained edges",
    async (workload) => {
      await fc.assert(
        fc.asyncProperty(
          serialHistory(workload),
          fc.constantFrom("strict-serializable", "read-committed"),
          async (o, model) => {
            const h = generateHistory({ ...o, atomic: false });
            const checker = workload === "list-append" ? elleListAppendChecker : elleRwRegisterChecker;
            const r = (await checker.check(h, { consistencyModel: model })) as ElleResult;
            for (const a of [...r.anomalies, ...r.allowedAnomalies]) {
              const cycle = a.cycle as CycleExplanation | undefined;
              if (!cycle) continue;
              const { nodes, edges } = cycle.graph;
              expect(nodes.length).toBeGreaterThanOrEqual(2);
              expect(new Set(nodes.map((n) => n.index)).size).toBe(nodes.length); // a simple cycle
              edges.forEach((e, i) => {
                expect(e.from).toBe(nodes[i].id);
                expect(e.to).toBe(nodes[(i + 1) % nodes.length].id);
                expect(e.text).toMatch(new RegExp(`^${e.from} < ${e.to} because `));
                expect(e.text).not.toMatch(/precedes/); // the fallback wording: no reason found
              });
            }
          },
        ),
        { numRuns: 150 },
      );
    },
  );

  it("classifies cycles by their edges as Elle does", () => {
    expect(classifyCycle([WW, WW])).toBe("G0");
    expect(classifyCycle([WW, WR])).toBe("G1c");
    expect(classifyCycle([WR, RW])).toBe("G-single");
    expect(classifyCycle([RW, WR, RW, WR])).toBe("G-nonadjacent");
    expect(classifyCycle([RW, RW])).toBe("G2-item");
    expect(classifyCycle([RW, WR, WR, RW])).toBe("G2-item"); // last and first are adjacent
    expect(classifyCycle([PROCESS, RW])).toBe("G-single-process");
    expect(classifyCycle([PROCESS, REALTIME, WW])).toBe("G0-realtime");
  });
});
