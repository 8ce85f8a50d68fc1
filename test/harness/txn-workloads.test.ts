/**
 * The transactional workloads' generators (list-append, rw-register, bank, long-fork): each
 * process's op stream depends only on its slot and its own seeded stream; written values are
 * unique (Elle and long-fork need a read to name its write); shapes are those the checkers read;
 * a bad isolation level is refused naming the field.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Prng } from "../../harness/generator/prng.ts";
import { BANK_ACCOUNTS, bankWorkload } from "../../workloads/bank.ts";
import { findWorkload, workloadOptions } from "../../workloads/index.ts";
import { longForkWorkload } from "../../workloads/long-fork.ts";
import { listAppendWorkload } from "../../workloads/list-append.ts";
import { rwRegisterWorkload } from "../../workloads/rw-register.ts";
import type { ProcessSlot, Workload, WorkloadOp } from "../../workloads/workload.ts";

const random = (seed: number) => {
  const p = new Prng(seed);
  return { float: () => p.float(), int: (n: number) => p.int(0, n - 1) };
};

/** `n` ops of every process of `count`, each from its own seed. */
function streams(w: Workload<unknown, WorkloadOp>, count: number, n: number, seed: number): WorkloadOp[][] {
  return Array.from({ length: count }, (_, index) => {
    const next = w.forProcess({ index, count } satisfies ProcessSlot, random(seed + index));
    return Array.from({ length: n }, () => next());
  });
}

type Mop = [string, number, unknown];

const workloads = {
  "list-append": () => listAppendWorkload({}) as Workload<unknown, WorkloadOp>,
  "rw-register": () => rwRegisterWorkload({}) as Workload<unknown, WorkloadOp>,
  "long-fork": () => longForkWorkload({}) as Workload<unknown, WorkloadOp>,
  bank: () => bankWorkload({}) as Workload<unknown, WorkloadOp>,
};

describe("transactional workloads", () => {
  for (const [name, make] of Object.entries(workloads)) {
    it(`${name}: a process's ops depend only on its slot and its own stream`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 12 }), (seed, count) => {
          const index = seed % count;
          const a = make().forProcess({ index, count }, random(seed));
          const b = make().forProcess({ index, count }, random(seed));
          // Another process drawing in between (its own stream) changes nothing.
          const other = make().forProcess({ index: (index + 1) % count, count }, random(seed + 1));
          for (let i = 0; i < 50; i++) {
            other();
            expect(a()).toEqual(b());
          }
        }),
        { numRuns: 40 },
      );
    });
  }

  it("list-append: 1-4 micro-ops, every appended value unique across processes, reads null on invoke, keys in a small window", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 10 }), (seed, count) => {
        const seen = new Set<number>();
        for (const ops of streams(workloads["list-append"](), count, 100, seed)) {
          for (const op of ops) {
            expect(op.f).toBe("txn");
            const mops = op.value as Mop[];
            expect(mops.length).toBeGreaterThanOrEqual(1);
            expect(mops.length).toBeLessThanOrEqual(4);
            for (const [f, , v] of mops) {
              if (f === "r") expect(v).toBeNull();
              else {
                expect(f).toBe("append");
                expect(seen.has(v as number)).toBe(false);
                seen.add(v as number);
              }
            }
          }
          // The window slides to fresh keys, but each op's keys stay within activeKeys of each other.
          for (const op of ops) {
            const keys = (op.value as Mop[]).map((m) => m[1]);
            expect(Math.max(...keys) - Math.min(...keys)).toBeLessThan(10 + 4);
          }
        }
      }),
      { numRuns: 12 },
    );
  });

  it("list-append: processes meet on the same keys, and keys move on as lists grow", () => {
    const [a, b] = streams(workloads["list-append"](), 2, 400, 9);
    const keys = (ops: WorkloadOp[]) => new Set(ops.flatMap((o) => (o.value as Mop[]).map((m) => m[1])));
    const shared = [...keys(a!.slice(0, 50))].filter((k) => keys(b!.slice(0, 50)).has(k));
    expect(shared.length).toBeGreaterThan(3);
    const first = Math.min(...keys(a!.slice(0, 20)));
    const last = Math.min(...keys(a!.slice(380)));
    expect(last).toBeGreaterThan(first + 10);
  });

  it("list-append read-or-append: a transaction only reads or only appends; read-only ones are readOnly", () => {
    const w = listAppendWorkload({ txnKind: "read-or-append" }) as Workload<unknown, WorkloadOp>;
    let readOnly = 0;
    for (const op of streams(w, 3, 200, 5).flat()) {
      const fs = new Set((op.value as Mop[]).map((m) => m[0]));
      expect(fs.size).toBe(1);
      if (w.readOnly(op)) {
        readOnly++;
        expect(fs.has("r")).toBe(true);
      }
    }
    expect(readOnly).toBeGreaterThan(150);
    expect(readOnly).toBeLessThan(450);
  });

  it("rw-register: every written value unique across processes and keys", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 10 }), (seed, count) => {
        const seen = new Set<number>();
        for (const op of streams(workloads["rw-register"](), count, 100, seed).flat()) {
          for (const [f, , v] of op.value as Mop[]) {
            if (f === "r") expect(v).toBeNull();
            else {
              expect(f).toBe("w");
              expect(seen.has(v as number)).toBe(false);
              seen.add(v as number);
            }
          }
        }
      }),
      { numRuns: 12 },
    );
  });

  it("long-fork: every key inserted once across processes; reads read a whole group", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 2, max: 5 }),
        (seed, count, groupSize) => {
          const w = longForkWorkload({ groupSize }) as Workload<unknown, WorkloadOp>;
          const inserted = new Set<number>();
          for (const op of streams(w, count, 100, seed).flat()) {
            const mops = op.value as Mop[];
            if (w.readOnly(op)) {
              expect(mops.length).toBe(groupSize);
              expect(mops[0]![1] % groupSize).toBe(0);
              mops.forEach((m, i) => expect(m).toEqual(["r", mops[0]![1] + i, null]));
            } else {
              expect(mops.length).toBe(1);
              expect(mops[0]![0]).toBe("w");
              expect(inserted.has(mops[0]![1])).toBe(false);
              inserted.add(mops[0]![1]);
            }
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it("bank: transfers between two different accounts of 1..maxTransfer; reads are read-only", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 20 }),
        (seed, maxTransfer) => {
          const w = bankWorkload({ maxTransfer }) as Workload<unknown, WorkloadOp>;
          const ops = streams(w, 1, 200, seed)[0]!;
          for (const op of ops) {
            if (op.f === "read") {
              expect(op.value).toBeNull();
              expect(w.readOnly(op)).toBe(true);
              continue;
            }
            expect(op.f).toBe("transfer");
            expect(w.readOnly(op)).toBe(false);
            const t = op.value as { from: number; to: number; amount: number };
            expect(t.from).not.toBe(t.to);
            for (const a of [t.from, t.to]) expect(a >= 0 && a < BANK_ACCOUNTS).toBe(true);
            expect(t.amount >= 1 && t.amount <= maxTransfer).toBe(true);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("an unknown isolation level is refused, naming the field and the known levels", () => {
    for (const name of ["list-append", "rw-register", "bank", "long-fork"]) {
      expect(() => workloadOptions(name, { isolation: "snapshot" })).toThrow(
        new RegExp(
          `bad workload options: ${name}\\.isolation: unknown isolation level "snapshot" \\(known: 'read committed', 'repeatable read', 'serializable'\\)`,
        ),
      );
      expect(workloadOptions(name, { isolation: "read committed" })).toMatchObject({
        isolation: "read committed",
      });
      expect(findWorkload(name).name).toBe(name);
    }
    expect(() => workloadOptions("list-append", { minTxnLength: 5, maxTxnLength: 2 })).toThrow(
      /list-append\.minTxnLength: minTxnLength must be at most maxTxnLength/,
    );
  });

  it("apply passes the isolation level to the client and returns the completed micro-ops", async () => {
    const seen: string[] = [];
    const w = listAppendWorkload({ isolation: "repeatable read" });
    const r = await w.apply(
      {
        txn: async (mops, iso) => {
          seen.push(iso);
          return mops.map((m) => (m[0] === "r" ? ["r", m[1], [1, 2]] : m));
        },
      },
      {
        f: "txn",
        value: [
          ["append", 3, 7],
          ["r", 3, null],
        ],
      },
    );
    expect(seen).toEqual(["repeatable read"]);
    expect(r).toEqual({
      ok: true,
      value: [
        ["append", 3, 7],
        ["r", 3, [1, 2]],
      ],
    });
    const bank = bankWorkload({});
    expect(
      await bank.apply(
        { transfer: async () => false, read: async () => ({}) },
        { f: "transfer", value: { from: 0, to: 1, amount: 3 } },
      ),
    ).toEqual({ ok: false, value: { from: 0, to: 1, amount: 3 }, error: "insufficient-funds" });
  });
});
