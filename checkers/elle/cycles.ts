/**
 * Cycle search: strongly connected components of the dependency graph first (linear time; an
 * acyclic graph costs nothing more), then, inside each component, a breadth-first search for a
 * short cycle of each anomaly class, weakest edges first: G0, G1c, G-single, G-nonadjacent,
 * G2-item, then the same with process edges, then with real-time edges. A class implied by one
 * already found in the component is skipped (a G0 is already a G1c).
 *
 * Each search seeds on one edge of the class's defining kind (an rw edge for G-single, a wr edge
 * for G1c, a real-time edge for the -realtime variants) and looks for the shortest way back,
 * carrying a few flags (how many rw edges, was the last one rw, was a wr seen) in the state.
 */
import { impliedAnomalies } from "./consistency-models.ts";
import { type Digraph, inducedSubgraph, PROCESS, REALTIME, RW, WR, WW } from "./graph.ts";
import { componentIds, stronglyConnectedComponents } from "./scc.ts";

/** A cycle as global transaction ids; kinds[i] is the single kind of the edge nodes[i] -> nodes[i+1 mod n]. */
export interface FoundCycle {
  type: string;
  nodes: number[];
  kinds: number[];
}

export interface CycleSearchResult {
  cycles: FoundCycle[];
  sccCount: number;
  largestScc: number;
  /** Set when the deadline passed: the search stopped early and more anomalies may exist. */
  timedOut: boolean;
  /** Searches abandoned for exceeding their step budget (component size, class). */
  incomplete: { sccSize: number; type: string }[];
}

enum RwMode {
  None = 0,
  Single = 1,
  Nonadjacent = 2,
  Many = 3,
}

interface Spec {
  type: string;
  /** Edge kinds the cycle may use. */
  allowed: number;
  /** The kind of the seed edge, which every such cycle must contain. */
  seed: number;
  rw: RwMode;
  needWr: boolean;
}

// State flags carried by the search.
const RW1 = 1; // at least one rw edge
const RW2 = 2; // at least two rw edges
const LAST_RW = 4; // the last edge was rw
const SEEN_WR = 8; // a wr edge was used
const FLAG_STATES = 16;
const INVALID = -1;

function baseSpecs(extra: number, seedOverride: number, suffix: string): Spec[] {
  const seed = (own: number) => (seedOverride || own) as number;
  return [
    { type: `G0${suffix}`, allowed: WW | extra, seed: seed(WW), rw: RwMode.None, needWr: false },
    { type: `G1c${suffix}`, allowed: WW | WR | extra, seed: seed(WR), rw: RwMode.None, needWr: true },
    {
      type: `G-single${suffix}`,
      allowed: WW | WR | RW | extra,
      seed: seed(RW),
      rw: RwMode.Single,
      needWr: false,
    },
    {
      type: `G-nonadjacent${suffix}`,
      allowed: WW | WR | RW | extra,
      seed: seed(RW),
      rw: RwMode.Nonadjacent,
      needWr: false,
    },
    {
      type: `G2-item${suffix}`,
      allowed: WW | WR | RW | extra,
      seed: seed(RW),
      rw: RwMode.Many,
      needWr: false,
    },
  ];
}

/** Every class, in the order searched. Process/real-time variants must use at least one such edge. */
export const CYCLE_SPECS: readonly Spec[] = [
  ...baseSpecs(0, 0, ""),
  ...baseSpecs(PROCESS, PROCESS, "-process"),
  ...baseSpecs(REALTIME, REALTIME, "-realtime"),
];

export const CYCLE_TYPES: readonly string[] = CYCLE_SPECS.map((s) => s.type);

/** Names a cycle from its edge kinds, as Elle does: rw count and adjacency, then wr, then ww. */
export function classifyCycle(kinds: readonly number[]): string {
  let rw = 0;
  let wr = 0;
  let process = 0;
  let realtime = 0;
  let adjacentRw = false;
  for (let i = 0; i < kinds.length; i++) {
    const k = kinds[i];
    if (k === RW) {
      rw++;
      if (kinds[(i + kinds.length - 1) % kinds.length] === RW) adjacentRw = true;
    } else if (k === WR) wr++;
    else if (k === PROCESS) process++;
    else if (k === REALTIME) realtime++;
  }
  const data =
    rw === 1 ? "G-single" : rw > 1 ? (adjacentRw ? "G2-item" : "G-nonadjacent") : wr > 0 ? "G1c" : "G0";
  return data + (realtime > 0 ? "-realtime" : process > 0 ? "-process" : "");
}

function flagMask(spec: Spec): number {
  let m = 0;
  if (spec.rw === RwMode.Single) m |= RW1;
  if (spec.rw === RwMode.Many) m |= RW1 | RW2;
  if (spec.rw === RwMode.Nonadjacent) m |= RW1 | RW2 | LAST_RW;
  if (spec.needWr) m |= SEEN_WR;
  return m;
}

function step(spec: Spec, flags: number, kind: number, mask: number): number {
  let f = flags;
  if (kind === RW) {
    if (spec.rw === RwMode.None) return INVALID;
    if (spec.rw === RwMode.Single && f & RW1) return INVALID;
    if (spec.rw === RwMode.Nonadjacent && f & LAST_RW) return INVALID;
    f = (f & RW1 ? f | RW2 : f) | RW1 | LAST_RW;
  } else {
    f &= ~LAST_RW;
    if (kind === WR) f |= SEEN_WR;
  }
  return f & mask;
}

function accepts(spec: Spec, flags: number): boolean {
  if (spec.needWr && !(flags & SEEN_WR)) return false;
  if (spec.rw === RwMode.Single) return (flags & RW1) !== 0;
  if (spec.rw === RwMode.Many) return (flags & RW2) !== 0;
  if (spec.rw === RwMode.Nonadjacent) {
    // The seed is the first edge; if it is rw, the last edge must not be (they are adjacent).
    return (flags & RW2) !== 0 && !(spec.seed === RW && flags & LAST_RW);
  }
  return true;
}

/** Scratch arrays for the per-component searches, sized for the largest component seen. */
class Scratch {
  stamp = new Int32Array(0);
  parent = new Int32Array(0);
  parentKind = new Uint8Array(0);
  queue = new Int32Array(0);
  generation = 0;

  ensure(states: number): void {
    if (this.stamp.length >= states) return;
    this.stamp = new Int32Array(states);
    this.parent = new Int32Array(states);
    this.parentKind = new Uint8Array(states);
    this.queue = new Int32Array(states);
    this.generation = 0;
  }
}

interface Budget {
  deadline: number;
  timedOut: boolean;
}

/**
 * Shortest cycle of this class through the component's local graph, or null. `stepLimit` bounds
 * the work (edge visits) so one hopeless class cannot eat the whole time limit.
 */
function searchSpec(
  L: Digraph,
  spec: Spec,
  scratch: Scratch,
  stepLimit: number,
  budget: Budget,
): number[][] | null | "incomplete" {
  const comp = componentIds(L, spec.allowed);
  const mask = flagMask(spec);
  scratch.ensure(L.n * FLAG_STATES);
  const { stamp, parent, parentKind, queue } = scratch;
  let steps = 0;
  let polls = 0;
  for (let a = 0; a < L.n; a++) {
    for (let e = L.offsets[a]; e < L.offsets[a + 1]; e++) {
      if (!(L.kinds[e] & spec.seed)) continue;
      const b = L.targets[e];
      // A cycle lies inside one component of its allowed edges.
      if (comp[a] !== comp[b]) continue;
      const f0 = step(spec, 0, spec.seed, mask);
      if (f0 === INVALID) continue;
      const gen = ++scratch.generation;
      const s0 = b * FLAG_STATES + f0;
      stamp[s0] = gen;
      parent[s0] = -1;
      let head = 0;
      let tail = 0;
      queue[tail++] = s0;
      let found = -1;
      while (head < tail && found < 0) {
        const s = queue[head++];
        const v = (s / FLAG_STATES) | 0;
        const f = s % FLAG_STATES;
        if (v === a) {
          if (accepts(spec, f)) found = s;
          continue; // never pass through the seed's source: keeps the walk a simple cycle at a
        }
        for (let x = L.offsets[v]; x < L.offsets[v + 1]; x++) {
          const w = L.targets[x];
          if (comp[w] !== comp[a]) continue;
          let ks = L.kinds[x] & spec.allowed;
          while (ks) {
            const k = ks & -ks;
            ks ^= k;
            const f2 = step(spec, f, k, mask);
            if (f2 === INVALID) continue;
            const s2 = w * FLAG_STATES + f2;
            if (stamp[s2] === gen) continue;
            stamp[s2] = gen;
            parent[s2] = s;
            parentKind[s2] = k;
            queue[tail++] = s2;
          }
        }
        steps += L.offsets[v + 1] - L.offsets[v] + 1;
        if (steps > stepLimit) return "incomplete";
        if ((++polls & 0xfff) === 0 && Date.now() > budget.deadline) {
          budget.timedOut = true;
          return "incomplete";
        }
      }
      if (found < 0) continue;
      // Walk parents back to the seed: nodes b .. a, then close with the seed edge a -> b.
      const nodes: number[] = [];
      const kinds: number[] = [];
      for (let s = found; parent[s] !== -1; s = parent[s]) {
        nodes.push((parent[s] / FLAG_STATES) | 0);
        kinds.push(parentKind[s]);
      }
      nodes.reverse();
      kinds.reverse();
      nodes.unshift(a);
      kinds.unshift(spec.seed);
      // nodes = [a, b, ..., last]; kinds[i] is nodes[i] -> nodes[i+1]; the last edge returns to a.
      return [nodes, kinds];
    }
  }
  return null;
}

/**
 * The search state carries flags, so a found walk may visit a node twice (with different flags).
 * Such a closed walk splits into simple cycles at the repeated node; keep the first simple one.
 * Its class is computed from its own edges, so the name stays true to what is shown.
 */
function simpleCycle(nodes: number[], kinds: number[]): [number[], number[]] {
  const seen = new Map<number, number>();
  for (let i = 0; i < nodes.length; i++) {
    const j = seen.get(nodes[i]);
    if (j !== undefined) {
      // nodes[j..i) is a closed walk (nodes[i] === nodes[j]).
      return simpleCycle(nodes.slice(j, i), kinds.slice(j, i));
    }
    seen.set(nodes[i], i);
  }
  return [nodes, kinds];
}

/** Any shortest cycle through node 0 of a strongly connected local graph (always exists). */
function fallbackCycle(L: Digraph, scratch: Scratch): [number[], number[]] {
  scratch.ensure(L.n);
  const { stamp, parent, parentKind, queue } = scratch;
  const gen = ++scratch.generation;
  let head = 0;
  let tail = 0;
  for (let e = L.offsets[0]; e < L.offsets[1]; e++) {
    const w = L.targets[e];
    if (stamp[w] === gen) continue;
    stamp[w] = gen;
    parent[w] = -1;
    parentKind[w] = L.kinds[e] & -L.kinds[e];
    queue[tail++] = w;
  }
  while (head < tail) {
    const v = queue[head++];
    for (let e = L.offsets[v]; e < L.offsets[v + 1]; e++) {
      const w = L.targets[e];
      if (w === 0) {
        const nodes = [v];
        const kinds = [L.kinds[e] & -L.kinds[e]];
        for (let x = v; ; x = parent[x]) {
          if (parent[x] === -1) {
            nodes.push(0);
            kinds.push(parentKind[x]);
            break;
          }
          nodes.push(parent[x]);
          kinds.push(parentKind[x]);
        }
        nodes.reverse();
        kinds.reverse();
        // nodes = [0, ..., v], kinds[i]: nodes[i] -> nodes[i+1], last kind: v -> 0.
        return [nodes, kinds];
      }
      if (stamp[w] === gen) continue;
      stamp[w] = gen;
      parent[w] = v;
      parentKind[w] = L.kinds[e] & -L.kinds[e];
      queue[tail++] = w;
    }
  }
  throw new Error("fallbackCycle: component is not strongly connected");
}

export interface CycleSearchOptions {
  /** Date.now() past which the search stops and reports what it has. */
  deadline: number;
  /** Classes to look for (default: all). */
  types?: ReadonlySet<string>;
}

export function findCycles(g: Digraph, options: CycleSearchOptions): CycleSearchResult {
  const sccs = stronglyConnectedComponents(g, 0xff).sort((x, y) => x.length - y.length);
  const budget: Budget = { deadline: options.deadline, timedOut: false };
  const scratch = new Scratch();
  const local = new Int32Array(g.n).fill(-1);
  const cycles: FoundCycle[] = [];
  const incomplete: { sccSize: number; type: string }[] = [];
  let largest = 0;
  for (const scc of sccs) {
    largest = Math.max(largest, scc.length);
    const L = inducedSubgraph(g, scc, 0xff, local);
    if (budget.timedOut || Date.now() > budget.deadline) {
      // Out of time: still show one (linear-time) cycle per component, so no cycle goes unreported.
      budget.timedOut = true;
      const [nodes, kinds] = simpleCycle(...fallbackCycle(L, scratch));
      cycles.push({ type: classifyCycle(kinds), nodes: nodes.map((v) => scc[v]), kinds });
      continue;
    }
    const stepLimit = Math.max(2_000_000, 40 * (L.targets.length + L.n));
    const found = new Set<string>();
    let implied = new Set<string>();
    let any = false;
    for (const spec of CYCLE_SPECS) {
      if (options.types && !options.types.has(spec.type)) continue;
      if (implied.has(spec.type)) continue;
      const r = searchSpec(L, spec, scratch, stepLimit, budget);
      if (r === "incomplete") {
        incomplete.push({ sccSize: scc.length, type: spec.type });
        if (budget.timedOut) break;
        continue;
      }
      if (r === null) continue;
      const [nodes, kinds] = simpleCycle(r[0], r[1]);
      const type = classifyCycle(kinds);
      // A G2-item search may come back with a G-nonadjacent cycle already reported here.
      if (found.has(type)) continue;
      cycles.push({ type, nodes: nodes.map((v) => scc[v]), kinds });
      any = true;
      found.add(type);
      implied = impliedAnomalies(found);
    }
    if (!any) {
      const [nodes, kinds] = fallbackCycle(L, scratch);
      cycles.push({ type: classifyCycle(kinds), nodes: nodes.map((v) => scc[v]), kinds });
    }
  }
  return { cycles, sccCount: sccs.length, largestScc: largest, timedOut: budget.timedOut, incomplete };
}
