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

/** An append-only list of (from, to, kinds) edges in typed arrays. */
export class EdgeList {
  from: Int32Array;
  to: Int32Array;
  kinds: Uint8Array;
  length = 0;

  constructor(capacity = 1024) {
    this.from = new Int32Array(capacity);
    this.to = new Int32Array(capacity);
    this.kinds = new Uint8Array(capacity);
  }

  add(a: number, b: number, kind: number): void {
    if (a === b) return; // never self-edges: a txn does not depend on itself
    if (this.length === this.from.length) this.grow();
    this.from[this.length] = a;
    this.to[this.length] = b;
    this.kinds[this.length] = kind;
    this.length++;
  }

  private grow(): void {
    const cap = this.from.length * 2;
    const f = new Int32Array(cap);
    f.set(this.from);
    const t = new Int32Array(cap);
    t.set(this.to);
    const k = new Uint8Array(cap);
    k.set(this.kinds);
    this.from = f;
    this.to = t;
    this.kinds = k;
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
  const counts = new Int32Array(n + 1);
  for (let i = 0; i < edges.length; i++) if (edges.kinds[i] & mask) counts[edges.from[i] + 1]++;
  for (let v = 0; v < n; v++) counts[v + 1] += counts[v];
  const raw = new Int32Array(counts[n]);
  const rawKinds = new Uint8Array(counts[n]);
  const fill = counts.slice(0, n);
  for (let i = 0; i < edges.length; i++) {
    const k = edges.kinds[i] & mask;
    if (!k) continue;
    const at = fill[edges.from[i]]++;
    raw[at] = edges.to[i];
    rawKinds[at] = k;
  }
  // Merge duplicates per source with a "last source that wrote slot[t]" stamp.
  const stamp = new Int32Array(n).fill(-1);
  const slot = new Int32Array(n);
  const offsets = new Int32Array(n + 1);
  const targets = new Int32Array(raw.length);
  const kinds = new Uint8Array(raw.length);
  let m = 0;
  for (let v = 0; v < n; v++) {
    offsets[v] = m;
    for (let i = counts[v]; i < counts[v + 1]; i++) {
      const t = raw[i];
      if (stamp[t] === v) {
        kinds[slot[t]] |= rawKinds[i];
      } else {
        stamp[t] = v;
        slot[t] = m;
        targets[m] = t;
        kinds[m] = rawKinds[i];
        m++;
      }
    }
  }
  offsets[n] = m;
  return { n, offsets, targets: targets.slice(0, m), kinds: kinds.slice(0, m) };
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
