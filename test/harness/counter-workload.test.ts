/**
 * The counter workload (increments and reads of a few counters, every counter read again at the
 * end) and the counter checker's `finalReadsOnly`, which judges an eventually consistent counter
 * by its converged reads: a lagging read during the run passes, a converged read short of the
 * acknowledged increments does not.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkCounter } from "../../checkers/counter.ts";
import type { History, Op } from "../../checkers/history/op.ts";
import { counter, counterWorkload } from "../../workloads/counter.ts";

describe("counter workload", () => {
  it("draws adds of 1 and reads on its keys, and reads every counter once at the end", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 1000 }), (keys, seed) => {
        let x = seed;
        const random = {
          float: () => (x = (x * 9301 + 49297) % 233280) / 233280,
          int: (n: number) => Math.floor(((x = (x * 9301 + 49297) % 233280) / 233280) * n),
        };
        const w = counterWorkload({ keys });
        const next = w.forProcess({ index: 0, count: 1 }, random);
        for (let i = 0; i < 50; i++) {
          const op = next();
          expect(op.key).toBeGreaterThanOrEqual(0);
          expect(op.key).toBeLessThan(keys);
          expect(op.f === "add" ? op.value : op.value).toBe(op.f === "add" ? 1 : null);
          expect(w.readOnly(op)).toBe(op.f === "read");
        }
        expect(w.finalOps!().map((o) => o.key)).toEqual(Array.from({ length: keys }, (_, k) => k));
      }),
      { numRuns: 30 },
    );
    expect(counter.options.safeParse({ keys: 65 }).success).toBe(false);
    expect(counter.options.safeParse({ readShare: 2 }).success).toBe(false);
  });
});

describe("counter checker: finalReadsOnly", () => {
  const h = (ops: [string, string, unknown, boolean?][]): History =>
    ops.map(
      ([type, f, value, final], index) =>
        ({ index, type, process: 0, f, key: 0, value, ...(final ? { final } : {}) }) as Op,
    );

  it("passes a lagging read during the run, fails a converged read short of the increments", () => {
    const lagging = h([
      ["invoke", "add", 1],
      ["ok", "add", 1],
      ["invoke", "read", null],
      ["ok", "read", 0], // lags
      ["invoke", "read", null, true],
      ["ok", "read", 1, true],
    ]);
    expect(checkCounter(lagging).valid).toBe(false);
    expect(checkCounter(lagging, { finalReadsOnly: true }).valid).toBe(true);
    const lost = h([
      ["invoke", "add", 1],
      ["ok", "add", 1],
      ["invoke", "add", 1],
      ["ok", "add", 1],
      ["invoke", "read", null, true],
      ["ok", "read", 1, true], // an increment is gone for good
    ]);
    const r = checkCounter(lost, { finalReadsOnly: true });
    expect(r.valid).toBe(false);
    expect(r.anomalies[0]!.explanation).toMatch(/returned 1, below 2/);
  });
});
