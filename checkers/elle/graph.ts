/**
 * The transaction dependency graph: nodes are transaction ids, edges carry a bit set of
 * dependency kinds. Built from a growable edge list into compressed sparse rows (CSR) with
 * duplicate edges merged, so a million transactions fit in a few typed arrays.
 */
import type { DependencyKind } from "./explanation.ts";

export const WW = 1;
export const WR = 2;
export const RW = 4;
export const PROCESS = 8;
export const REALTIME = 16;
export const DATA = WW | WR | RW;
export const ALL = DATA | PROCESS | REALTIME;

export const KIND_BITS: readonly [number, DependencyKind][] = [
  [WW, "ww"],
  [WR, "wr"],
  [RW, "rw"],
  [PROCESS, "process"],
  [REALTIME, "realtime"],
];

export function kindName(bit: number): DependencyKind {
  for (const [b, name] of KIND_BITS) if (b === bit) return name;
  throw new Error(`not a single dependency kind: ${bit}`);
}

const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;

/**
 * An append-only list of (from, to, kinds) edges in fixed-size typed-array chunks: growing never
 * copies, which matters at millions of edges (every big ArrayBuffer also nudges V8 towards a
 * full garbage collection of the whole history).
 */
export class EdgeList {
  readonly from: Int32Array[] = [];
  readonly to: Int32Array[] = [];
  readonly kinds: Uint8Array[] = [];
  length = 0;

  add(a: number, b: number, kind: number): void {
    if (a === b) return; // never self-edges: a txn does not depend on itself
    const c = this.length >>> CHUNK_BITS;
    if (c === this.from.length) {
      this.from.push(new Int32Array(CHUNK));
      this.to.push(new Int32Array(CHUNK));
      this.kinds.push(new Uint8Array(CHUNK));
    }
    const i = this.length & (CHUNK - 1);
    this.from[c][i] = a;
    this.to[c][i] = b;
    this.kinds[c][i] = kind;
    this.length++;
  }

  /** Calls f for every edge, in insertion order. */
  forEach(f: (from: number, to: number, kinds: number) => void): void {
    for (let c = 0; c < this.from.length; c++) {
      const n = Math.min(CHUNK, this.length - c * CHUNK);
      const fr = this.from[c];
      const to = this.to[c];
      const ks = this.kinds[c];
      for (let i = 0; i < n; i++) f(fr[i], to[i], ks[i]);
    }
  }
}

/** CSR digraph: the out-edges of v are targets[offsets[v] .. offsets[v+1]), with kinds alongside. */
export interface Digraph {
  n: number;
  offsets: Int32Array;
  targets: Int32Array;
  kinds: Uint8Array;
}

/** Builds a CSR digraph over n nodes, merging parallel edges (kinds OR-ed), keeping only `mask` kinds. */
export function buildDigraph(n: number, edges: EdgeList, mask = ALL): Digraph {
  // Counting sort by source.
  const offsets = new Int32Array(n + 1);
  edges.forEach((a, _b, k) => {
    if (k & mask) offsets[a + 1]++;
  });
  for (let v = 0; v < n; v++) offsets[v + 1] += offsets[v];
  const targets = new Int32Array(offsets[n]);
  const kinds = new Uint8Array(offsets[n]);
  const fill = offsets.slice(0, n);
  edges.forEach((a, b, k) => {
    const km = k & mask;
    if (!km) return;
    const at = fill[a]++;
    targets[at] = b;
    kinds[at] = km;
  });
  // Merge duplicates in place (the write position never passes the read position), with a
  // "last source that wrote slot[t]" stamp; `fill` is reused as the slot array.
  const stamp = new Int32Array(n).fill(-1);
  const slot = fill;
  let m = 0;
  for (let v = 0; v < n; v++) {
    const start = offsets[v];
    const end = offsets[v + 1];
    offsets[v] = m;
    for (let i = start; i < end; i++) {
      const t = targets[i];
      if (stamp[t] === v) {
        kinds[slot[t]] |= kinds[i];
      } else {
        stamp[t] = v;
        slot[t] = m;
        targets[m] = t;
        kinds[m] = kinds[i];
        m++;
      }
    }
  }
  offsets[n] = m;
  return { n, offsets, targets: targets.subarray(0, m), kinds: kinds.subarray(0, m) };
}

/** The subgraph induced by `nodes` (local ids 0..k-1 in that order), keeping only `mask` kinds. */
export function inducedSubgraph(g: Digraph, nodes: Int32Array, mask: number, local: Int32Array): Digraph {
  // `local` is a caller-owned scratch array of size g.n filled with -1; restored before returning.
  for (let i = 0; i < nodes.length; i++) local[nodes[i]] = i;
  const offsets = new Int32Array(nodes.length + 1);
  let m = 0;
  for (let i = 0; i < nodes.length; i++) {
    const v = nodes[i];
    for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) {
      if (local[g.targets[e]] >= 0 && g.kinds[e] & mask) m++;
    }
  }
  const targets = new Int32Array(m);
  const kinds = new Uint8Array(m);
  m = 0;
  for (let i = 0; i < nodes.length; i++) {
    offsets[i] = m;
    const v = nodes[i];
    for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) {
      const t = local[g.targets[e]];
      const k = g.kinds[e] & mask;
      if (t >= 0 && k) {
        targets[m] = t;
        kinds[m] = k;
        m++;
      }
    }
  }
  offsets[nodes.length] = m;
  for (let i = 0; i < nodes.length; i++) local[nodes[i]] = -1;
  return { n: nodes.length, offsets, targets, kinds };
}
