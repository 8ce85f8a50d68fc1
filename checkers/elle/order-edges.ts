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
  const frontier: number[] = [];
  const inFrontier = new Uint8Array(t.n);
  // preds[id]: the frontier snapshot at id's invoke, as a range into predBuf.
  const predStart = new Int32Array(t.n);
  const predEnd = new Int32Array(t.n);
  let predBuf = new Int32Array(1024);
  let predLen = 0;
  for (let i = 0; i < t.events.length; i++) {
    const ev = t.events[i];
    const id = ev >> 1;
    if ((ev & 1) === 0) {
      if (t.status[id] === FAIL) continue;
      predStart[id] = predLen;
      for (const p of frontier) {
        edges.add(p, id, REALTIME);
        if (predLen === predBuf.length) {
          const bigger = new Int32Array(predBuf.length * 2);
          bigger.set(predBuf);
          predBuf = bigger;
        }
        predBuf[predLen++] = p;
      }
      predEnd[id] = predLen;
    } else {
      // Only ok transactions complete (events holds no other completions).
      let removed = false;
      for (let j = predStart[id]; j < predEnd[id]; j++) {
        const p = predBuf[j];
        if (inFrontier[p]) {
          inFrontier[p] = 0;
          removed = true;
        }
      }
      if (removed) {
        let w = 0;
        for (let j = 0; j < frontier.length; j++)
          if (inFrontier[frontier[j]] === 1) frontier[w++] = frontier[j];
        frontier.length = w;
      }
      frontier.push(id);
      inFrontier[id] = 1;
    }
  }
}
