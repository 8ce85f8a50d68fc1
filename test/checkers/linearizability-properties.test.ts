import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { History, Op } from "../../checkers/history/op.ts";
import { checkLinearizable } from "../../checkers/linearizability/index.ts";
import { Choices, generateHistory, REF_TYPES } from "./linearizability-gen.ts";
import { oracle } from "./linearizability-oracle.ts";

const choices = (max: number, min = 0) =>
  fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: min, maxLength: max });

// Budgets are generous: on a loaded machine a 5 s search budget ran out (an `unknown`, not a wrong
// verdict); the verdicts checked here do not depend on the budget.
describe.each(REF_TYPES.map((r) => [r.model, r] as const))("%s", (_name, ref) => {
  it("a random sequential execution with random overlapping intervals is linearizable", () => {
    fc.assert(
      fc.property(choices(600), fc.integer({ min: 1, max: 60 }), fc.boolean(), (xs, ops, withTime) => {
        const h = generateHistory(ref, new Choices(xs), {
          ops: Math.min(ops, ref.maxOps ?? ops),
          withTime,
          crashes: true,
        });
        const r = checkLinearizable(h, { model: ref.model, timeLimitMs: 60_000 });
        if (r.valid !== true)
          throw new Error(`not linearizable: ${JSON.stringify(r.anomalies[0]?.explanation ?? r.reason)}`);
      }),
      { numRuns: 150 },
    );
  });

  it("agrees with the brute-force oracle on single mutations of small histories", () => {
    let invalid = 0;
    fc.assert(
      fc.property(
        choices(80),
        fc.integer({ min: 2, max: 7 }),
        fc.boolean(),
        choices(4),
        (xs, ops, withTime, ms) => {
          const h = generateHistory(ref, new Choices(xs), { ops, withTime, crashes: true });
          const mutated = mutate(h, new Choices(ms));
          const expected = oracle(mutated, ref.model);
          const got = checkLinearizable(mutated, { model: ref.model, timeLimitMs: 60_000 });
          if (!expected) invalid++;
          expect(got.valid).toBe(expected);
          if (!expected) expect(got.anomalies).toHaveLength(1);
        },
      ),
      { numRuns: 300 },
    );
    // The mutations must produce real violations, or this test proves little.
    expect(invalid).toBeGreaterThan(20);
  });
});

const LEAVES: unknown[] = [0, 1, 2, 3, null, "a", "b", "ab"];

/** Replace one leaf of a JSON value (keeping its shape). */
function mutateLeaf(v: unknown, c: Choices): unknown {
  if (Array.isArray(v)) {
    if (v.length === 0) return v;
    const i = c.int(v.length);
    return v.map((x, j) => (j === i ? mutateLeaf(x, c) : x));
  }
  return c.pick(
    LEAVES.filter((l) => l !== v && (typeof v !== "string" || typeof l === "string" || l === null)),
  );
}

/** Change the value of one read micro-op; a txn without reads fails instead. */
function mutateTxnRead(v: unknown, c: Choices): unknown {
  const mops = v as [string, string, unknown][];
  const reads = mops.map((m, i) => [m, i] as const).filter(([m]) => m[0] === "read");
  if (reads.length === 0) return v;
  const [, at] = c.pick(reads);
  return mops.map((m, i) => (i === at ? [m[0], m[1], mutateLeaf(m[2], c)] : m));
}

/**
 * One small change: an ok op's result, an ok op turned into a failed one, an ok completion
 * moved earlier, or an info op's invoke moved later.
 */
function mutate(h: History, c: Choices): History {
  const out = h.map((o) => ({ ...o }));
  const oks = out.map((o, i) => [o, i] as const).filter(([o]) => o.type === "ok");
  if (oks.length === 0) return out;
  const [target, at] = c.pick(oks);
  const kind = c.int(3);
  if (kind === 0) {
    // Only completion values the model reads: read results, dequeued elements, txn reads.
    if (target.f === "txn") target.value = mutateTxnRead(target.value, c);
    else if (["read", "get", "dequeue"].includes(target.f)) target.value = mutateLeaf(target.value, c);
    else target.type = "fail";
  } else if (kind === 1) {
    target.type = "fail";
  } else {
    // Move the completion earlier, but not before its own invoke.
    const inv = findInvoke(out, at);
    const to = inv + 1 + c.int(Math.max(1, at - inv));
    const [moved] = out.splice(at, 1);
    out.splice(Math.min(to, at), 0, moved);
    if (out.some((o) => o.time !== undefined)) {
      const prevTime = out[Math.min(to, at) - 1]?.time ?? 0;
      moved.time = prevTime;
    }
  }
  return out.map((o, i) => ({ ...o, index: i, line: i + 1 }));
}

function findInvoke(h: Op[], completionAt: number): number {
  const p = h[completionAt].process;
  for (let i = completionAt - 1; i >= 0; i--) if (h[i].process === p && h[i].type === "invoke") return i;
  throw new Error("no invoke");
}
