/**
 * A tiny builder for transaction histories in tests: `h.txn(p, mops)` is an invoke and its ok
 * completion back to back; `h.invoke`/`h.ok`/`h.fail`/`h.info` interleave them by hand. Reads are
 * null in the invoke, as in real histories. Each op gets `line` = its 1-based position.
 */
import { generateHistory } from "../../bench/elle-gen.ts";
import type { History, Op } from "../../checkers/history/op.ts";

export type Mop = [string, string | number, unknown];

function blankReads(mops: Mop[]): Mop[] {
  return mops.map(([f, k, v]) => (f === "r" ? [f, k, null] : [f, k, v]));
}

export class HistoryBuilder {
  readonly ops: History = [];
  private readonly invoked = new Map<number, Mop[]>();

  private push(type: Op["type"], process: number, value: unknown): this {
    const index = this.ops.length;
    this.ops.push({ index, type, process, f: "txn", value, time: index * 1000, line: index + 1 });
    return this;
  }

  invoke(process: number, mops: Mop[]): this {
    this.invoked.set(process, mops);
    return this.push("invoke", process, blankReads(mops));
  }

  /** Completes the process's open txn; `mops` defaults to what was invoked (reads must then be given). */
  ok(process: number, mops?: Mop[]): this {
    return this.push("ok", process, mops ?? this.invoked.get(process));
  }

  fail(process: number): this {
    return this.push("fail", process, blankReads(this.invoked.get(process) ?? []));
  }

  info(process: number): this {
    return this.push("info", process, blankReads(this.invoked.get(process) ?? []));
  }

  txn(process: number, mops: Mop[]): this {
    return this.invoke(process, mops).ok(process, mops);
  }

  build(): History {
    return this.ops.map((op) => ({ ...op }));
  }
}

/**
 * A valid background history of `workload` (numeric keys), then the planted transactions
 * (string keys) after it, so a planted anomaly must be found among unrelated valid traffic.
 */
export function planted(
  workload: "list-append" | "rw-register",
  seed: number,
  plant: (h: HistoryBuilder) => void,
): History {
  const background = generateHistory({
    txns: 300,
    concurrency: 5,
    activeKeys: 4,
    appendsPerKey: 20,
    seed,
    ...(workload === "rw-register" ? { workload } : {}),
  });
  const h = new HistoryBuilder();
  for (const op of background) h.ops.push({ ...op, index: h.ops.length, time: h.ops.length * 1000 });
  plant(h);
  return h.build();
}

/** Runs txns concurrently: all invoked, then all completed, so no real-time order between them. */
export function concurrent(h: HistoryBuilder, txns: [number, Mop[]][]): void {
  for (const [p, mops] of txns) h.invoke(p, mops);
  for (const [p, mops] of txns) h.ok(p, mops);
}
