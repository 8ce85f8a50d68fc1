/**
 * Process-order and real-time-order edges between transactions that may have happened (ok and
 * info; failed ones never did).
 *
 * Real-time order (T1 completed before T2 was invoked) has n^2 pairs in the worst case; we keep
 * a transitive reduction's worth instead, after Elle: a "frontier" of completed transactions not
 * yet known to precede another completed one. An invoke links from every frontier member; a
 * completion removes its own predecessors from the frontier (it now stands for them) and joins
 * it. Every real-time pair stays reachable, and the edge count is about n times the concurrency.
 */
import { type EdgeList, PROCESS, REALTIME } from "./graph.ts";
import { FAIL, type TxnTable } from "./txns.ts";

/** T1 -> T2 when the same process ran T1 and then T2. */
export function addProcessEdges(t: TxnTable, edges: EdgeList): void {
  const last = new Int32Array(t.processNames.length).fill(-1);
  // Ids are in invoke order, which is each process's order.
  for (let id = 0; id < t.n; id++) {
    if (t.status[id] === FAIL) continue;
    const p = t.process[id];
    if (last[p] >= 0) edges.add(last[p], id, PROCESS);
    last[p] = id;
  }
}

/** T1 -> T2 for a transitive reduction of "T1 completed before T2 was invoked". */
export function addRealtimeEdges(t: TxnTable, edges: EdgeList): void {
  // A frontier member p was a predecessor of T iff it joined (completed) before T was invoked:
  // members never rejoin, so no per-transaction snapshot of the frontier is needed.
  const frontier: number[] = [];
  const joinedAt = new Int32Array(t.n);
  const invokedAt = new Int32Array(t.n).fill(-1);
  for (let i = 0; i < t.events.length; i++) {
    const ev = t.events[i];
    const id = ev >> 1;
    if ((ev & 1) === 0) {
      if (t.status[id] === FAIL) continue;
      invokedAt[id] = i;
      for (let j = 0; j < frontier.length; j++) edges.add(frontier[j], id, REALTIME);
    } else {
      // Only ok transactions complete (events holds no other completions). This one now stands
      // for every frontier member that preceded it.
      let w = 0;
      for (let j = 0; j < frontier.length; j++) {
        if (joinedAt[frontier[j]] > invokedAt[id]) frontier[w++] = frontier[j];
      }
      frontier.length = w;
      frontier.push(id);
      joinedAt[id] = i;
    }
  }
}
