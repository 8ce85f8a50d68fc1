/**
 * Linearizability of each key as served by its home: for home-region ownership (geo-partitioning),
 * where every write of a key goes to one node and reads elsewhere are local (stale by design).
 * Each key keeps all its writes (wherever they went) and only the reads served by the node that
 * took most of its writes, its home; that history is checked with the linearizability checker.
 * A lost write (a home that forgets an acknowledged write, or a write made elsewhere that the home
 * never shows in its place) makes it `nonlinearizable`; a stale read on another node does not.
 *
 * Pure: works on any keyed register history whose ops name the `node` that served them; ops
 * without a node are kept as they are.
 */
import type { Checker, CheckOptions } from "./checker.ts";
import type { History, Op } from "./history/op.ts";
import { isClientOp } from "./history/op.ts";
import { checkLinearizable } from "./linearizability/index.ts";
import type { CheckerResult } from "./verdict.ts";

const WRITES = new Set(["write", "cas"]);

/**
 * Per key, its home node: with `homes` given, key k's home is homes[k mod homes.length] (the
 * round-robin ownership faultline's geo-partitioned layout uses); otherwise the node that took most
 * of its writes (ties: the first to take one), a guess that a long misrouting window can fool.
 */
export function homeNodes(history: History, homes?: readonly string[]): Map<string, string> {
  if (homes && homes.length > 0) {
    const out = new Map<string, string>();
    for (const op of history) {
      if (op.type !== "invoke" || !isClientOp(op) || typeof op.key !== "number") continue;
      const k = JSON.stringify(op.key);
      if (!out.has(k)) out.set(k, homes[((op.key % homes.length) + homes.length) % homes.length]!);
    }
    return out;
  }
  const counts = new Map<string, Map<string, number>>();
  for (const op of history) {
    if (op.type !== "invoke" || !isClientOp(op) || !WRITES.has(op.f) || op.node === undefined) continue;
    const k = JSON.stringify(op.key ?? null);
    const m = counts.get(k) ?? new Map<string, number>();
    m.set(op.node, (m.get(op.node) ?? 0) + 1);
    counts.set(k, m);
  }
  const byMajority = new Map<string, string>();
  for (const [k, m] of counts) {
    let best: [string, number] | undefined;
    for (const e of m) if (!best || e[1] > best[1]) best = e;
    byMajority.set(k, best![0]);
  }
  return byMajority;
}

export type HomeLinearizableOptions = CheckOptions;

export function checkHomeLinearizable(history: History, opts: HomeLinearizableOptions = {}): CheckerResult {
  const homes = homeNodes(history, opts.homes);
  // Reads are dropped whole (invoke and completion): pair them by process.
  const dropping = new Set<unknown>();
  let readsElsewhere = 0;
  const kept: Op[] = [];
  for (const op of history) {
    if (!isClientOp(op) || op.node === undefined) {
      kept.push(op);
      continue;
    }
    if (op.type === "invoke") {
      const home = homes.get(JSON.stringify(op.key ?? null));
      if (op.f === "read" && home !== undefined && op.node !== home) {
        dropping.add(op.process);
        readsElsewhere++;
        continue;
      }
      dropping.delete(op.process);
      kept.push(op);
      continue;
    }
    if (dropping.has(op.process)) {
      dropping.delete(op.process);
      continue;
    }
    kept.push(op);
  }
  // Writes that went elsewhere than their key's home, with when: what ties anomalies to a routing
  // window (times in ms since the run started, when the history has times).
  const misrouted = new Map<
    string,
    { key: unknown; home: string; node: string; writes: number; firstMs?: number; lastMs?: number }
  >();
  for (const op of history) {
    if (op.type !== "invoke" || !isClientOp(op) || !WRITES.has(op.f) || op.node === undefined) continue;
    const k = JSON.stringify(op.key ?? null);
    const home = homes.get(k)!;
    if (home === op.node) continue;
    const id = `${k} ${op.node}`;
    const m = misrouted.get(id) ?? { key: op.key, home, node: op.node, writes: 0 };
    m.writes++;
    if (op.time !== undefined) {
      const ms = Math.round(op.time / 1e6);
      m.firstMs = Math.min(m.firstMs ?? ms, ms);
      m.lastMs = Math.max(m.lastMs ?? ms, ms);
    }
    misrouted.set(id, m);
  }
  const keysOnSeveralNodes = new Set([...misrouted.values()].map((m) => JSON.stringify(m.key ?? null)));
  const { homes: _homes, ...linOpts } = opts;
  const r = checkLinearizable(kept, { allKeys: true, ...linOpts });
  return {
    ...r,
    misrouted: [...misrouted.values()],
    stats: {
      ...r.stats,
      readsElsewhere,
      keysWrittenOnSeveralNodes: keysOnSeveralNodes.size,
    },
  };
}

export const homeLinearizableChecker: Checker = {
  name: "home-linearizable",
  description:
    "Linearizability of each key as served by its home node (all writes, reads on the node taking its writes)",
  check: (history, options) => checkHomeLinearizable(history, options),
};
