/**
 * Strongly connected components by Tarjan's algorithm, iterative (an explicit stack instead of
 * recursion) so that a dependency chain of a million transactions cannot overflow the JS stack.
 */
import type { Digraph } from "./graph.ts";

/** Components with more than one node (we never create self-edges), restricted to `mask` edges. */
export function stronglyConnectedComponents(g: Digraph, mask: number): Int32Array[] {
  const out: Int32Array[] = [];
  tarjan(g, mask, (members) => {
    if (members.length > 1) out.push(members.slice());
  });
  return out;
}

/**
 * The component id of every node, numbered in the order Tarjan finishes them: a reverse
 * topological order of the condensation, so a path u ~> w implies id[u] >= id[w].
 */
export function componentIds(g: Digraph, mask: number): Int32Array {
  const ids = new Int32Array(g.n);
  let c = 0;
  tarjan(g, mask, (members) => {
    for (let i = 0; i < members.length; i++) ids[members[i]] = c;
    c++;
  });
  return ids;
}

function tarjan(g: Digraph, mask: number, emit: (members: Int32Array) => void): void {
  const n = g.n;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  let sp = 0;
  // DFS call stack: node and the next out-edge to look at.
  const callNode = new Int32Array(n);
  const callEdge = new Int32Array(n);
  let cp = 0;
  let counter = 0;

  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    index[root] = low[root] = counter++;
    stack[sp++] = root;
    onStack[root] = 1;
    callNode[cp] = root;
    callEdge[cp] = g.offsets[root];
    cp++;
    while (cp > 0) {
      const v = callNode[cp - 1];
      const e = callEdge[cp - 1];
      if (e < g.offsets[v + 1]) {
        callEdge[cp - 1] = e + 1;
        if (!(g.kinds[e] & mask)) continue;
        const w = g.targets[e];
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          onStack[w] = 1;
          callNode[cp] = w;
          callEdge[cp] = g.offsets[w];
          cp++;
        } else if (onStack[w] && index[w] < low[v]) {
          low[v] = index[w];
        }
        continue;
      }
      // v is finished: pop it, propagate low to its parent, and emit a component at its root.
      cp--;
      if (cp > 0) {
        const parent = callNode[cp - 1];
        if (low[v] < low[parent]) low[parent] = low[v];
      }
      if (low[v] === index[v]) {
        let start = sp - 1;
        while (stack[start] !== v) start--;
        emit(stack.subarray(start, sp));
        for (let i = start; i < sp; i++) onStack[stack[i]] = 0;
        sp = start;
      }
    }
  }
}
