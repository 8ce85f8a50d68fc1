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
        const w = setWorkload(random(seed), { keys });
        const added = new Set<number>();
        const fs = new Set<string>();
        for (let i = 0; i < 300; i++) {
          const op = w.next();
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
    const a = setWorkload(random(42), { keys: 3 });
    const b = setWorkload(random(42), { keys: 3 });
    for (let i = 0; i < 100; i++) expect(a.next()).toEqual(b.next());
  });

  it("reads every set once at the end; only adds have an effect", async () => {
    const w = setWorkload(random(1), { keys: 3 });
    expect(w.finalOps!()).toEqual([0, 1, 2].map((key) => ({ f: "read", key, value: null })));
    expect(w.hasEffect({ f: "add", key: 0, value: 1 })).toBe(true);
    expect(w.hasEffect({ f: "read", key: 0, value: null })).toBe(false);
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
    expect(() => setWorkload(random(1), { keys: 0 })).toThrow(/keys must be an integer >= 1/);
  });
});
