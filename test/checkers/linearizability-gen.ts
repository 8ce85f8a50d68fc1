/**
 * Random histories for property tests: a random sequential execution of a data type (computed by
 * reference implementations written here, independently of checkers/models), stretched into
 * random overlapping intervals around each op's linearization point, with crashed (info),
 * pending and failed ops mixed in. Randomness comes from an array of integers that fast-check
 * generates and shrinks.
 */
import type { History, Op } from "../../checkers/history/op.ts";

export class Choices {
  private i = 0;
  private seed: number;
  constructor(private readonly xs: readonly number[]) {
    this.seed = xs.reduce((a, x) => (Math.imul(a, 31) + x) | 0, xs.length + 1) || 1;
  }
  /** An integer in [0, n): the given integers first, then a PRNG seeded by them. */
  int(n: number): number {
    let x: number;
    if (this.i < this.xs.length) x = this.xs[this.i];
    else {
      this.seed ^= this.seed << 13;
      this.seed ^= this.seed >>> 17;
      this.seed ^= this.seed << 5;
      x = this.seed >>> 8;
    }
    this.i++;
    return Math.abs(x) % n;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

export interface GenOp {
  f: string;
  key?: string;
  /** Value on invoke and on the ok completion. */
  invoke: unknown;
  ok: unknown;
}

/** A reference data type: the next op (legal in `state`) with its results, and the state after. */
export interface RefType<S> {
  model: string;
  /** Cap on history size for the random-execution property (the model's search is costlier). */
  maxOps?: number;
  initial?: unknown;
  init(): S;
  next(state: S, c: Choices): { op: GenOp; state: S };
  /** An op that will not take effect (for crashed-before-effect and failed ops). */
  any(c: Choices): GenOp;
}

const V = [0, 1, 2, 3];

function casRegister(withCas: boolean): RefType<number | null> {
  return {
    model: withCas ? "cas-register" : "register",
    init: () => null,
    next(s, c) {
      const k = c.int(withCas ? 3 : 2);
      if (k === 0) return { op: { f: "read", invoke: null, ok: s }, state: s };
      if (k === 1) {
        const v = c.pick(V);
        return { op: { f: "write", invoke: v, ok: v }, state: v };
      }
      const from = c.int(2) === 0 ? s : c.pick(V);
      const to = c.pick(V);
      // Only successful cas ops are in the sequential execution.
      return from === s
        ? { op: { f: "cas", invoke: [from, to], ok: [from, to] }, state: to }
        : { op: { f: "write", invoke: to, ok: to }, state: to };
    },
    any: (c) => {
      const k = c.int(withCas ? 3 : 2);
      const v = c.pick(V);
      if (k === 0) return { f: "read", invoke: null, ok: v };
      if (k === 1) return { f: "write", invoke: v, ok: v };
      return { f: "cas", invoke: [v, c.pick(V)], ok: [v, c.pick(V)] };
    },
  };
}

// Mostly one key, so that ops interact.
const KEYS = ["k0", "k0", "k0", "k1"];
const kv: RefType<Record<string, string | null>> = {
  model: "kv",
  init: () => ({}),
  next(s, c) {
    const key = c.pick(KEYS);
    const cur = s[key] ?? null;
    const k = c.int(3);
    if (k === 0) return { op: { f: "get", key, invoke: null, ok: cur }, state: s };
    const v = c.pick(["a", "b", "c", "d", "e", "f", "g", "h"]);
    if (k === 1) return { op: { f: "put", key, invoke: v, ok: v }, state: { ...s, [key]: v } };
    return { op: { f: "append", key, invoke: v, ok: v }, state: { ...s, [key]: (cur ?? "") + v } };
  },
  any: (c) => ({ f: c.pick(["put", "append"]), key: c.pick(KEYS), invoke: "z", ok: "z" }),
};

const set: RefType<number[]> = {
  model: "set",
  init: () => [],
  next(s, c) {
    if (c.int(2) === 0) return { op: { f: "read", invoke: null, ok: [...s].sort() }, state: s };
    const x = c.int(5);
    return { op: { f: "add", invoke: x, ok: x }, state: s.includes(x) ? s : [...s, x] };
  },
  any: (c) => {
    const x = c.int(5);
    return { f: "add", invoke: x, ok: x };
  },
};

// Unique elements: with duplicates, every order of concurrent enqueues is a distinct state and
// random histories of a few dozen ops already take the search (any WGL search) minutes.
const queue: RefType<{ items: number[]; n: number }> = {
  model: "fifo-queue",
  maxOps: 30,
  init: () => ({ items: [], n: 0 }),
  next(s, c) {
    if (c.int(2) === 0) {
      const ok = s.items.length > 0 ? s.items[0] : null;
      return { op: { f: "dequeue", invoke: null, ok }, state: { items: s.items.slice(1), n: s.n } };
    }
    return { op: { f: "enqueue", invoke: s.n, ok: s.n }, state: { items: [...s.items, s.n], n: s.n + 1 } };
  },
  any: (c) => {
    const x = 1000 + c.int(1000);
    return { f: "enqueue", invoke: x, ok: x };
  },
};

const mutex: RefType<boolean> = {
  model: "mutex",
  init: () => false,
  next: (held) => ({ op: { f: held ? "release" : "acquire", invoke: null, ok: null }, state: !held }),
  any: (c) => ({ f: c.pick(["acquire", "release"]), invoke: null, ok: null }),
};

const REGS = ["x", "y", "z"];
const multi: RefType<Record<string, number | null>> = {
  model: "multi-register",
  init: () => ({}),
  next(s, c) {
    const n = 1 + c.int(2);
    const st = { ...s };
    const inv: unknown[] = [];
    const ok: unknown[] = [];
    for (let i = 0; i < n; i++) {
      const reg = c.pick(REGS);
      if (c.int(2) === 0) {
        inv.push(["read", reg, null]);
        ok.push(["read", reg, st[reg] ?? null]);
      } else {
        const v = c.pick(V);
        st[reg] = v;
        inv.push(["write", reg, v]);
        ok.push(["write", reg, v]);
      }
    }
    return { op: { f: "txn", invoke: inv, ok }, state: st };
  },
  any: (c) => ({ f: "txn", invoke: [["write", c.pick(REGS), 9]], ok: [["write", c.pick(REGS), 9]] }),
};

export const REF_TYPES: RefType<never>[] = [
  casRegister(true),
  casRegister(false),
  kv,
  set,
  queue,
  mutex,
  multi,
] as unknown as RefType<never>[];

interface Timed {
  op: GenOp;
  start: number;
  /** undefined: never completes. */
  end: number | undefined;
  type: "ok" | "info" | "fail";
}

export interface GenOptions {
  ops: number;
  /** Drop `time` so line order is the only clock. */
  withTime: boolean;
  /** Allow crashed (info), pending and failed ops. */
  crashes: boolean;
}

/** A linearizable history of `ref` (by construction). */
export function generateHistory<S>(ref: RefType<S>, c: Choices, o: GenOptions): History {
  let state = ref.init();
  const timed: Timed[] = [];
  for (let i = 0; i < o.ops; i++) {
    const lin = 10 * i + 5;
    const start = lin - c.int(30);
    const end = lin + c.int(30);
    const r = o.crashes ? c.int(10) : 9;
    if (r === 0) {
      // Crashed or failed before taking effect: not part of the sequential execution.
      const op = ref.any(c);
      const kind = c.int(3);
      timed.push({ op, start, end: kind === 2 ? undefined : end, type: kind === 0 ? "fail" : "info" });
      continue;
    }
    const step = ref.next(state, c);
    state = step.state;
    if (r === 1) timed.push({ op: step.op, start, end: c.int(2) === 0 ? undefined : end, type: "info" });
    else timed.push({ op: step.op, start, end, type: "ok" });
  }
  return toHistory(timed, o.withTime);
}

function toHistory(timed: Timed[], withTime: boolean): History {
  // One op at a time per process; a process that crashed (info or pending) is retired.
  timed.sort((a, b) => a.start - b.start);
  const busyUntil: number[] = [];
  const events: { t: number; call: boolean; op: Op }[] = [];
  for (const t of timed) {
    let p = busyUntil.findIndex((b) => b < t.start);
    if (p < 0) {
      p = busyUntil.length;
      busyUntil.push(0);
    }
    busyUntil[p] = t.type === "ok" || t.type === "fail" ? (t.end as number) : Number.POSITIVE_INFINITY;
    const base = { process: p, f: t.op.f, ...(t.op.key !== undefined ? { key: t.op.key } : {}) };
    events.push({ t: t.start, call: true, op: { index: 0, type: "invoke", ...base, value: t.op.invoke } });
    if (t.end !== undefined) {
      const value = t.type === "ok" ? t.op.ok : t.op.invoke;
      events.push({ t: t.end, call: false, op: { index: 0, type: t.type, ...base, value } });
    }
  }
  events.sort((a, b) => a.t - b.t || (a.call === b.call ? 0 : a.call ? -1 : 1));
  return events.map((e, i) => ({ ...e.op, index: i, line: i + 1, ...(withTime ? { time: e.t } : {}) }));
}
