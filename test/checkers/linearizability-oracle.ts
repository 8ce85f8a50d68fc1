/**
 * A brute-force linearizability oracle for small histories: tries every subset of info ops and
 * every order consistent with real time, with no memoisation, no pruning and no partitioning
 * beyond independent keys. Slow and obviously right; the checker must agree with it.
 */
import type { History } from "../../checkers/history/op.ts";
import { type LinRecord, partitionHistory } from "../../checkers/linearizability/partition.ts";
import { getModel } from "../../checkers/models/index.ts";
import type { AnyModel } from "../../checkers/models/model.ts";

function linearizable(model: AnyModel, initial: unknown, recs: LinRecord[]): boolean {
  const n = recs.length;
  const placed = new Array<boolean>(n).fill(false);
  const dfs = (state: unknown, okLeft: number): boolean => {
    if (okLeft === 0) return true;
    for (let x = 0; x < n; x++) {
      if (placed[x]) continue;
      // x may go next only if no unplaced ok op returned before x was invoked.
      let blocked = false;
      for (let y = 0; y < n; y++) {
        if (!placed[y] && y !== x && recs[y].outcome === "ok" && recs[y].end < recs[x].start) {
          blocked = true;
          break;
        }
      }
      if (blocked) continue;
      const next = model.step(state, recs[x].input);
      if (next === undefined) continue;
      placed[x] = true;
      const ok = dfs(next, okLeft - (recs[x].outcome === "ok" ? 1 : 0));
      placed[x] = false;
      if (ok) return true;
    }
    return false;
  };
  return dfs(initial, recs.filter((r) => r.outcome === "ok").length);
}

/** Linearizable per independent key, for a small history. */
export function oracle(history: History, modelName: string, initial?: unknown): boolean {
  const model = getModel(modelName);
  // Partition by key only: resource splitting (multi-register) is what the oracle double-checks.
  const unsplit: AnyModel = { ...model, resources: undefined };
  const { partitions } = partitionHistory(history, unsplit);
  return partitions.every((p) => linearizable(model, model.init(initial, p.key), p.records));
}
