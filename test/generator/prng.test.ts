import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Prng } from "../../harness/generator/prng.ts";

describe("Prng", () => {
  it("is deterministic per seed and differs between seeds", () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const xs = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it("int stays in range and hits both ends", () => {
    const r = new Prng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const x = r.int(-2, 3);
      expect(x).toBeGreaterThanOrEqual(-2);
      expect(x).toBeLessThanOrEqual(3);
      seen.add(x);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2, 3]);
  });

  it("float is in [0,1) and roughly uniform", () => {
    const r = new Prng(7);
    let sum = 0;
    for (let i = 0; i < 10000; i++) {
      const f = r.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
      sum += f;
    }
    expect(sum / 10000).toBeGreaterThan(0.47);
    expect(sum / 10000).toBeLessThan(0.53);
  });

  it("shuffle is a permutation and leaves its input alone", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.array(fc.integer(), { maxLength: 30 }),
        (seed, xs) => {
          const copy = xs.slice();
          const out = new Prng(seed).shuffle(xs);
          expect(xs).toEqual(copy);
          expect(out.slice().sort((a, b) => a - b)).toEqual(copy.sort((a, b) => a - b));
        },
      ),
    );
  });

  it("fork depends on seed and label, not on how much the parent was used", () => {
    const a = new Prng(9);
    const b = new Prng(9);
    b.nextUint32();
    b.nextUint32();
    expect(a.fork("process-3").nextUint32()).toBe(b.fork("process-3").nextUint32());
    expect(a.fork("process-3").nextUint32()).not.toBe(a.fork("process-4").nextUint32());
  });

  it("refuses bad arguments with a message", () => {
    expect(() => new Prng(1.5)).toThrow(/integer/);
    expect(() => new Prng(1).int(3, 2)).toThrow(/min <= max/);
    expect(() => new Prng(1).pick([])).toThrow(/empty/);
  });
});
