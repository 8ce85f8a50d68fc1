/**
 * Synthetic list-append histories for the Elle benchmark and property tests: `concurrency`
 * processes run transactions of 1-4 micro-ops against an in-memory serializable store. Each
 * transaction takes effect atomically at its completion, which lies inside its interval, so the
 * history is strict serializable. Keys retire after `appendsPerKey` appends (Elle's generator
 * does the same), keeping reads short.
 */
import type { History, Op } from "../checkers/history/op.ts";

export interface GenOptions {
  txns: number;
  concurrency?: number;
  activeKeys?: number;
  /** Writes per key before it retires. */
  appendsPerKey?: number;
  seed?: number;
  /** `append` with list reads (default), or `rw-register` with `w` and single-value reads. */
  workload?: "list-append" | "rw-register";
  /** Share of transactions that fail (no effect) and that end in info (effect or not, at random). */
  failRate?: number;
  infoRate?: number;
  /**
   * false: apply each micro-op at its own moment, interleaved with other transactions (read
   * committed-like behaviour, full of G-single and G2 cycles). Default true.
   */
  atomic?: boolean;
}

/** mulberry32: small, fast, seeded. */
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

type Mop = [string, number, unknown];

/** A strict-serializable history of list-append (or rw-register) transactions. */
export function generateHistory(o: GenOptions): History {
  const history: History = [];
  generateOps(o, (op) => history.push(op));
  return history;
}

/**
 * The same history, op by op, without keeping it: a million transactions as Op objects are
 * ~1.4 GB, so the benchmark streams them to a file instead.
 */
export function generateOps(o: GenOptions, emit: (op: Op) => void): void {
  const rand = prng(o.seed ?? 1);
  const concurrency = o.concurrency ?? 10;
  const activeKeys = o.activeKeys ?? 10;
  const perKey = o.appendsPerKey ?? 100;
  const state = new Map<number, number[]>();
  const appends = new Map<number, number>();
  const active: number[] = Array.from({ length: activeKeys }, (_, i) => i);
  let nextKey = activeKeys;
  const register = o.workload === "rw-register";
  const write = register ? "w" : "append";
  const failRate = o.failRate ?? 0;
  const infoRate = o.infoRate ?? 0;
  const inFlight: (Mop[] | null)[] = new Array(concurrency).fill(null);
  // Non-atomic mode: micro-ops applied so far and their results, per slot.
  const applied: Mop[][] = Array.from({ length: concurrency }, () => []);
  const atomic = o.atomic ?? true;
  const apply = ([f, k, v]: Mop): Mop => {
    let list = state.get(k);
    if (!list) {
      list = [];
      state.set(k, list);
    }
    if (f !== "r") {
      list.push(v as number);
      return [f, k, v];
    }
    if (register) return [f, k, list.length === 0 ? null : list[list.length - 1]];
    return [f, k, list.slice()];
  };
  // A process whose txn ended in info is retired; its slot continues under a fresh process id.
  const pid = Array.from({ length: concurrency }, (_, i) => i);
  let nextPid = concurrency;
  let emitted = 0;
  let started = 0;
  let done = 0;
  let time = 0;
  const push = (type: "invoke" | "ok" | "fail" | "info", slot: number, value: Mop[]) => {
    time += 1 + Math.floor(rand() * 1000);
    emit({ index: emitted++, type, process: pid[slot], f: "txn", value, time });
  };
  while (done < o.txns) {
    const p = Math.floor(rand() * concurrency);
    const txn = inFlight[p];
    if (txn === null) {
      if (started >= o.txns) continue;
      const n = 1 + Math.floor(rand() * 4);
      const mops: Mop[] = [];
      for (let i = 0; i < n; i++) {
        const slot = Math.floor(rand() * active.length);
        const k = active[slot];
        if (rand() < 0.5) {
          mops.push(["r", k, null]);
        } else {
          const count = (appends.get(k) ?? 0) + 1;
          appends.set(k, count);
          mops.push([write, k, count]);
          if (count >= perKey) active[slot] = nextKey++;
        }
      }
      inFlight[p] = mops;
      started++;
      push("invoke", p, mops);
    } else if (!atomic && applied[p].length < txn.length) {
      applied[p].push(apply(txn[applied[p].length]));
    } else if (!atomic) {
      inFlight[p] = null;
      done++;
      push("ok", p, applied[p]);
      applied[p] = [];
    } else {
      inFlight[p] = null;
      done++;
      const roll = rand();
      if (roll < failRate) {
        push("fail", p, txn);
        continue;
      }
      // Apply atomically now, at the completion (an info txn may or may not have applied).
      const info = roll < failRate + infoRate;
      if (info && rand() < 0.5) {
        push("info", p, txn);
        pid[p] = nextPid++;
        continue;
      }
      const result: Mop[] = txn.map(apply);
      if (info) {
        push("info", p, txn);
        pid[p] = nextPid++;
      } else {
        push("ok", p, result);
      }
    }
  }
}
