/**
 * Partition shapes: each is a small function from a topology (and the choices recorded in its spec)
 * to a CutSet. Adding a shape costs one function here and one line in `SHAPE_NEEDS`.
 *
 * Where a shape is defined over nodes, each region's client group sits with the component that holds
 * most of that region's nodes (clients talk to their local nodes); a region without nodes keeps
 * its clients connected to everything. A majorities ring leaves client links alone: it is about
 * what nodes hear from each other.
 */
import type { TopologySpec } from "../topology.ts";
import { CutSet, clientEndpoint, type Endpoint, endpointsOf, regionOfEndpoint } from "./cuts.ts";
import type { PartitionScope, PartitionShape, PartitionShapeSpec } from "./spec.ts";

/** The least a topology must have for a shape to mean anything. */
export const SHAPE_NEEDS: Record<PartitionShape, { regions: number; nodes: number }> = {
  "isolate-region": { regions: 2, nodes: 1 },
  "isolate-node": { regions: 1, nodes: 2 },
  halves: { regions: 1, nodes: 2 },
  "majority-minority": { regions: 1, nodes: 3 },
  "majorities-ring": { regions: 1, nodes: 3 },
  bridge: { regions: 1, nodes: 3 },
  "one-way": { regions: 2, nodes: 1 },
  partial: { regions: 2, nodes: 2 },
};

/** Jepsen's majority: more than half. */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** Cuts a list in two, smaller half first. */
export function bisect<T>(items: readonly T[]): [T[], T[]] {
  const k = Math.floor(items.length / 2);
  return [items.slice(0, k), items.slice(k)];
}

/** Node components plus each region's clients placed with the component holding most of its nodes. */
function withClients(topology: TopologySpec, components: string[][]): Endpoint[][] {
  const out = components.map((c) => [...c]);
  for (const r of topology.regions) {
    const counts = components.map((c) => c.filter((n) => regionOfEndpoint(topology, n) === r.name).length);
    const best = Math.max(0, ...counts);
    if (best === 0) continue;
    out[counts.indexOf(best)]!.push(clientEndpoint(r.name));
  }
  return out;
}

function isolateRegion(topology: TopologySpec, region: string): CutSet {
  const inside = endpointsOf(topology).filter((e) => regionOfEndpoint(topology, e) === region);
  const outside = endpointsOf(topology).filter((e) => regionOfEndpoint(topology, e) !== region);
  return CutSet.complete([inside, outside]);
}

function majoritiesRing(order: readonly string[]): CutSet {
  const n = order.length;
  const m = majority(n);
  const cuts = new CutSet();
  order.forEach((node, i) => {
    const seen = new Set<string>();
    for (let k = 0; k < m; k++) seen.add(order[(i + k) % n]!);
    for (const other of order) if (!seen.has(other)) cuts.cut(other, node);
  });
  return cuts;
}

function bridge(topology: TopologySpec, order: readonly string[]): CutSet {
  const [a, b] = bisect(order);
  const hub = b[0]!;
  const comps = withClients(topology, [a, b]);
  const cuts = new CutSet();
  const full = CutSet.complete(comps);
  for (const [from, to] of full.pairs()) if (from !== hub && to !== hub) cuts.cut(from, to);
  return cuts;
}

function oneWay(topology: TopologySpec, from: string, to: string): CutSet {
  const all = endpointsOf(topology);
  const cuts = new CutSet();
  for (const x of all.filter((e) => regionOfEndpoint(topology, e) === from)) {
    for (const y of all.filter((e) => regionOfEndpoint(topology, e) === to)) cuts.cut(x, y);
  }
  return cuts;
}

/** The cut set a shape promises, on this topology. Call `checkShape` first for a readable error. */
export function cutsForShape(
  topology: TopologySpec,
  spec: PartitionShapeSpec & { scope?: PartitionScope },
): CutSet {
  const nodes = topology.nodes.map((n) => n.name);
  let cuts: CutSet;
  switch (spec.shape) {
    case "isolate-region":
      cuts = isolateRegion(topology, spec.region);
      break;
    case "partial":
      cuts = isolateRegion(topology, spec.region).peersOnly();
      break;
    case "isolate-node":
      cuts = CutSet.complete(withClients(topology, [[spec.node], nodes.filter((n) => n !== spec.node)]));
      break;
    case "halves":
      cuts = CutSet.complete(withClients(topology, bisect(spec.order)));
      break;
    case "majority-minority":
      cuts = CutSet.complete(
        withClients(topology, [spec.minority, nodes.filter((n) => !spec.minority.includes(n))]),
      );
      break;
    case "majorities-ring":
      cuts = majoritiesRing(spec.order);
      break;
    case "bridge":
      cuts = bridge(topology, spec.order);
      break;
    case "one-way":
      cuts = oneWay(topology, spec.from, spec.to);
      break;
  }
  return spec.scope === "peers" ? cuts.peersOnly() : cuts;
}

/** Why a shape cannot be applied to this topology, or undefined when it can. */
export function checkShape(topology: TopologySpec, spec: PartitionShapeSpec): string | undefined {
  const needs = SHAPE_NEEDS[spec.shape];
  if (!needs) return `unknown partition shape '${(spec as { shape: string }).shape}'`;
  const regions = topology.regions.map((r) => r.name);
  const nodes = topology.nodes.map((n) => n.name);
  if (regions.length < needs.regions) {
    return `partition shape '${spec.shape}' needs at least ${needs.regions} regions; the scenario has ${regions.length} (${regions.join(", ")})`;
  }
  if (nodes.length < needs.nodes) {
    return `partition shape '${spec.shape}' needs at least ${needs.nodes} nodes; the scenario has ${nodes.length} (${nodes.join(", ")})`;
  }
  const unknownRegion = (r: string) =>
    regions.includes(r) ? undefined : `partition: no region '${r}' (regions: ${regions.join(", ")})`;
  const unknownNodes = (ns: readonly string[]) => {
    const bad = ns.filter((n) => !nodes.includes(n));
    return bad.length
      ? `partition: no node ${bad.map((b) => `'${b}'`).join(", ")} (nodes: ${nodes.join(", ")})`
      : undefined;
  };
  switch (spec.shape) {
    case "isolate-region":
      return unknownRegion(spec.region);
    case "partial": {
      const bad = unknownRegion(spec.region);
      if (bad) return bad;
      const inside = topology.nodes.filter((n) => n.region === spec.region).length;
      if (inside === 0 || inside === nodes.length) {
        return `partition shape 'partial' on '${spec.region}' cuts nothing: it needs nodes both inside and outside the region`;
      }
      return undefined;
    }
    case "isolate-node":
      return unknownNodes([spec.node]);
    case "halves":
    case "majorities-ring":
    case "bridge": {
      const bad = unknownNodes(spec.order);
      if (bad) return bad;
      if (new Set(spec.order).size !== spec.order.length)
        return `partition '${spec.shape}': order repeats a node`;
      return undefined;
    }
    case "majority-minority": {
      const bad = unknownNodes(spec.minority);
      if (bad) return bad;
      const most = nodes.length - majority(nodes.length);
      if (spec.minority.length === 0 || spec.minority.length > most) {
        return `partition 'majority-minority': minority must hold 1..${most} of ${nodes.length} nodes, got ${spec.minority.length}`;
      }
      return undefined;
    }
    case "one-way":
      if (spec.from === spec.to) return `partition 'one-way': from and to are both '${spec.from}'`;
      return unknownRegion(spec.from) ?? unknownRegion(spec.to);
  }
}

/** A short phrase for the history: "isolate eu-west", "majorities ring a b c". */
export function describeShape(spec: PartitionShapeSpec): string {
  switch (spec.shape) {
    case "isolate-region":
      return `isolate ${spec.region}`;
    case "partial":
      return `partial: replication between ${spec.region} and the other regions cut, clients still reach every node`;
    case "isolate-node":
      return `isolate node ${spec.node}`;
    case "halves": {
      const [a, b] = bisect(spec.order);
      return `halves [${a.join(" ")}] | [${b.join(" ")}]`;
    }
    case "majority-minority":
      return `minority [${spec.minority.join(" ")}] against the rest`;
    case "majorities-ring":
      return `majorities ring ${spec.order.join(" ")}`;
    case "bridge": {
      const [a, b] = bisect(spec.order);
      return `bridge ${b[0]} between [${a.join(" ")}] and [${b.slice(1).join(" ")}]`;
    }
    case "one-way":
      return `one-way ${spec.from}->${spec.to}`;
  }
}
