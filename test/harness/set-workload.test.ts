import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Prng } from "../../harness/generator/prng.ts";
import { type SetClient, setWorkload } from "../../workloads/set.ts";

const random = (seed: number) => {
  const p = new Prng(seed);
  return { float: () => p.float(), int: (n: number) => p.int(0, n - 1) };
};

describe("set workload", () => {
  it("adds every element at most once, to keys 0..keys-1, with both adds and reads", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 8 }), (seed, keys) => {
        const next = setWorkload({ keys }).forProcess({ index: 0, count: 1 }, random(seed));
        const added = new Set<number>();
        const fs = new Set<string>();
        for (let i = 0; i < 300; i++) {
          const op = next();
          fs.add(op.f);
          expect(op.key).toBeGreaterThanOrEqual(0);
          expect(op.key).toBeLessThan(keys);
          if (op.f === "add") {
            expect(added.has(op.value)).toBe(false);
            added.add(op.value);
          }
        }
        expect(fs).toEqual(new Set(["add", "read"]));
      }),
    );
  });

  it("gives the same operations for the same seed", () => {
    const w = setWorkload({ keys: 3 });
    const a = w.forProcess({ index: 1, count: 4 }, random(42));
    const b = w.forProcess({ index: 1, count: 4 }, random(42));
    for (let i = 0; i < 100; i++) expect(a()).toEqual(b());
  });

  it("gives every process its own elements: no element is added by two processes", () => {
    const w = setWorkload({ keys: 2 });
    const seen = new Map<number, number>();
    for (let index = 0; index < 5; index++) {
      const next = w.forProcess({ index, count: 5 }, random(index));
      for (let i = 0; i < 200; i++) {
        const op = next();
        if (op.f !== "add") continue;
        expect(seen.get(op.value)).toBeUndefined();
        seen.set(op.value, index);
      }
    }
    expect(seen.size).toBeGreaterThan(500);
  });

  it("reads every set once at the end; only adds have an effect", async () => {
    const w = setWorkload({ keys: 3 });
    expect(w.finalOps!()).toEqual([0, 1, 2].map((key) => ({ f: "read", key, value: null })));
    expect(w.readOnly({ f: "add", key: 0, value: 1 })).toBe(false);
    expect(w.readOnly({ f: "read", key: 0, value: null })).toBe(true);
    const calls: string[] = [];
    const client: SetClient = {
      add: async (k, e) => void calls.push(`add ${k} ${e}`),
      read: async () => [1, 2],
      close: async () => {},
    };
    expect(await w.apply(client, { f: "add", key: 1, value: 7 })).toEqual({ ok: true, value: 7 });
    expect(await w.apply(client, { f: "read", key: 1, value: null })).toEqual({ ok: true, value: [1, 2] });
    expect(calls).toEqual(["add 1 7"]);
  });

  it("refuses a key count that is not a positive integer", () => {
    expect(() => setWorkload({ keys: 0 }).forProcess({ index: 0, count: 1 }, random(1))).toThrow(
      /keys must be an integer >= 1/,
    );
  });
});
