import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Prng } from "../../harness/generator/prng.ts";
import { RegisterGenerator } from "../../workloads/register.ts";

const random = (seed: number) => {
  const p = new Prng(seed);
  return { float: () => p.float(), int: (n: number) => p.int(0, n - 1) };
};

describe("register workload generator", () => {
  it("writes every value at most once, across writes and cas", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 50 }),
        (seed, opsPerKey) => {
          const g = new RegisterGenerator(random(seed), { opsPerKey, keysInFlight: 3 });
          const written = new Set<number>();
          for (let i = 0; i < 500; i++) {
            const op = g.next();
            const v = op.f === "write" ? op.value : op.f === "cas" ? op.value[1] : undefined;
            if (v === undefined) continue;
            expect(written.has(v)).toBe(false);
            written.add(v);
          }
        },
      ),
    );
  });

  it("keeps each key to about opsPerKey operations and moves on", () => {
    const g = new RegisterGenerator(random(7), { opsPerKey: 20, keysInFlight: 4 });
    const perKey = new Map<number, number>();
    for (let i = 0; i < 2000; i++) {
      const op = g.next();
      perKey.set(op.key, (perKey.get(op.key) ?? 0) + 1);
    }
    expect(perKey.size).toBeGreaterThan(90);
    // A key is in the window for keysInFlight windows of opsPerKey ops, shared with the others.
    for (const n of perKey.values()) expect(n).toBeLessThanOrEqual(20 * 4);
  });

  it("gives the same operations for the same seed", () => {
    const a = new RegisterGenerator(random(42), { opsPerKey: 10, keysInFlight: 2 });
    const b = new RegisterGenerator(random(42), { opsPerKey: 10, keysInFlight: 2 });
    for (let i = 0; i < 100; i++) expect(a.next()).toEqual(b.next());
  });

  it("gives processes disjoint written values, and each cas compares against the process's own write", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 8 }), (seed, count) => {
        const written = new Map<number, number>();
        for (let index = 0; index < count; index++) {
          const g = new RegisterGenerator(
            random(seed + index),
            { opsPerKey: 30, keysInFlight: 3 },
            { index, count },
          );
          const mine = new Set<number>();
          for (let i = 0; i < 300; i++) {
            const op = g.next();
            if (op.f === "read") continue;
            const v = op.f === "write" ? op.value : op.value[1];
            if (op.f === "cas") expect(mine.has(op.value[0])).toBe(true);
            expect(written.has(v)).toBe(false);
            written.set(v, index);
            mine.add(v);
          }
        }
      }),
      { numRuns: 50 },
    );
  });
});
