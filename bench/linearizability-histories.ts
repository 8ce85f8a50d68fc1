/**
 * Synthetic histories for the linearizability benchmark: concurrent clients against a simulated
 * linearizable object (each op takes effect at a random instant inside its interval), with
 * crashed ops (info: took effect or not, the client retired and replaced by a new process id),
 * as Jepsen's register and Redis-style kv workloads record them. Seeded, so runs compare.
 */
import type { History, Op } from "../checkers/history/op.ts";

/** Small, fast, seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Planned {
  slot: number;
  start: number;
  lin: number;
  end: number;
  /** ok, or info (crashed: took effect only if `applied`). */
  crashed: boolean;
  applied: boolean;
  f: string;
  key?: string;
  value: unknown;
  /** Filled in by the simulation. */
  result?: unknown;
  failed?: boolean;
}

export interface SimSpec {
  seed: number;
  ops: number;
  processes: number;
  infoRate: number;
  /** Picks an op (f, key, invoke value). */
  pick(rand: () => number, i: number): { f: string; key?: string; value: unknown };
  /** Applies an op to the object; returns the ok value, or `fail` when it had no effect. */
  apply(op: { f: string; key?: string; value: unknown }): { value: unknown } | "fail";
}

export function simulate(spec: SimSpec): History {
  const rand = prng(spec.seed);
  const planned: Planned[] = [];
  const clock = new Array<number>(spec.processes).fill(0);
  for (let i = 0; i < spec.ops; i++) {
    // The slot that is free the earliest runs the next op.
    let slot = 0;
    for (let s = 1; s < spec.processes; s++) if (clock[s] < clock[slot]) slot = s;
    const start = clock[slot] + Math.floor(rand() * 50);
    const lin = start + 1 + Math.floor(rand() * 400);
    const end = lin + 1 + Math.floor(rand() * 400);
    clock[slot] = end + 1;
    const crashed = rand() < spec.infoRate;
    planned.push({
      slot,
      start,
      lin,
      end,
      crashed,
      applied: !crashed || rand() < 0.5,
      ...spec.pick(rand, i),
    });
  }
  for (const p of [...planned].sort((a, b) => a.lin - b.lin)) {
    if (!p.applied) continue;
    const r = spec.apply(p);
    if (r === "fail") p.failed = true;
    else p.result = r.value;
  }
  // Process ids: a slot's client gets a new id after each crash.
  const generation = new Array<number>(spec.processes).fill(0);
  const events: { t: number; call: boolean; op: Omit<Op, "index"> }[] = [];
  for (const p of [...planned].sort((a, b) => a.start - b.start)) {
    const process = p.slot + spec.processes * generation[p.slot];
    const base = { process, f: p.f, ...(p.key !== undefined ? { key: p.key } : {}) };
    // (keys are per op; an unkeyed history has none)
    events.push({
      t: p.start,
      call: true,
      op: { ...base, type: "invoke", value: p.f === "read" || p.f === "get" ? null : p.value },
    });
    if (p.crashed) {
      generation[p.slot]++;
      events.push({ t: p.end, call: false, op: { ...base, type: "info", value: p.value, error: "timeout" } });
    } else if (p.failed) {
      events.push({ t: p.end, call: false, op: { ...base, type: "fail", value: p.value } });
    } else {
      events.push({ t: p.end, call: false, op: { ...base, type: "ok", value: p.result ?? p.value } });
    }
  }
  events.sort((a, b) => a.t - b.t || (a.call === b.call ? 0 : a.call ? -1 : 1));
  return events.map((e, i) => ({ ...e.op, index: i, time: e.t * 1000 }) as Op);
}

/** Jepsen's cas-register workload: values 0..4, read / write / cas [from, to], on `keys` keys (default: one, unkeyed). */
export function casRegisterHistory(o: {
  seed: number;
  ops: number;
  processes: number;
  infoRate: number;
  keys?: number;
}): History {
  const regs = new Map<string | undefined, unknown>();
  return simulate({
    ...o,
    pick(rand) {
      const key = o.keys === undefined ? undefined : `r${Math.floor(rand() * o.keys)}`;
      const r = rand();
      const v = Math.floor(rand() * 5);
      if (r < 0.4) return { f: "read", key, value: null };
      if (r < 0.7) return { f: "write", key, value: v };
      return { f: "cas", key, value: [Math.floor(rand() * 5), v] };
    },
    apply(op) {
      const reg = regs.get(op.key) ?? null;
      if (op.f === "read") return { value: reg };
      if (op.f === "write") {
        regs.set(op.key, op.value);
        return { value: op.value };
      }
      const [from, to] = op.value as [number, number];
      if (reg !== from) return "fail";
      regs.set(op.key, to);
      return { value: op.value };
    },
  });
}

/** Redis-style GET / SET / APPEND over `keys` keys; appended values are unique. */
export function kvHistory(o: {
  seed: number;
  ops: number;
  processes: number;
  infoRate: number;
  keys: number;
}): History {
  const store = new Map<string, string>();
  return simulate({
    ...o,
    pick(rand, i) {
      const key = `k${Math.floor(rand() * o.keys)}`;
      const r = rand();
      if (r < 0.5) return { f: "get", key, value: null };
      if (r < 0.55) return { f: "put", key, value: `p${i} ` };
      return { f: "append", key, value: `${i} ` };
    },
    apply(op) {
      const k = op.key as string;
      if (op.f === "get") return { value: store.get(k) ?? null };
      const v = op.f === "put" ? (op.value as string) : (store.get(k) ?? "") + (op.value as string);
      store.set(k, v);
      return { value: op.value };
    },
  });
}

/**
 * Many concurrent crashed writes of distinct values, each read once by a concurrent read, and
 * one process that reads 1, then 0, then 1 (there is one write of 1): refuting it means trying
 * every subset and order. (A read of a value never written is refuted at once instead.)
 */
export function pathologicalHistory(n: number): History {
  const ops: Omit<Op, "index">[] = [];
  for (let i = 0; i < n; i++) ops.push({ type: "invoke", process: i, f: "write", value: i });
  for (let i = 0; i < n; i++) ops.push({ type: "invoke", process: n + i, f: "read", value: null });
  for (let i = 0; i < n; i++) ops.push({ type: "info", process: i, f: "write", value: i });
  for (const v of [1, 0, 1]) {
    ops.push({ type: "invoke", process: 2 * n, f: "read", value: null });
    ops.push({ type: "ok", process: 2 * n, f: "read", value: v });
  }
  for (let i = 0; i < n; i++) ops.push({ type: "ok", process: n + i, f: "read", value: i });
  return ops.map((o, index) => ({ ...o, index }) as Op);
}

/** A copy of `h` where one ok read (past the middle) returns a value nobody wrote. */
export function withStaleRead(h: History): History {
  const out = h.map((o) => ({ ...o }));
  for (let i = Math.floor(out.length / 2); i < out.length; i++) {
    const o = out[i];
    if (o.type === "ok" && (o.f === "read" || o.f === "get")) {
      o.value = o.f === "read" ? 99 : "never written";
      break;
    }
  }
  return out;
}
