/**
 * Partition shapes: everything about one shape of the partition fault (faults/partition.ts). Each
 * shape is a small function from a topology (and the choices recorded in its spec) to a CutSet,
 * plus what it needs from the topology, the random choices it plans, its checks and its words.
 * Adding a shape costs its spec type below, a line in `SHAPE_NEEDS` and `SHAPE_FIELDS`, and a case
 * in each switch.
 *
 * Where a shape is defined over nodes, each region's client group sits with the component that holds
 * most of that region's nodes (clients talk to their local nodes); a region without nodes keeps
 * its clients connected to everything. A majorities ring leaves client links alone: it is about
 * what nodes hear from each other.
 */
import type { Prng } from "../generator/prng.ts";
import type { RegionName, TopologySpec } from "../topology.ts";
import { CutSet, clientEndpoint, type Endpoint, endpointsOf, regionOfEndpoint } from "./cuts.ts";
import type { PartitionScope } from "./faults/partition.ts";

export type PartitionShapeSpec =
  /** The region's nodes and clients can only talk among themselves. */
  | { shape: "isolate-region"; region: RegionName }
  /** One node cut off from every other node and from the clients of other regions. */
  | { shape: "isolate-node"; node: string }
  /** Nodes in this order, cut into two halves (smaller half first). */
  | { shape: "halves"; order: string[] }
  /** These nodes (fewer than half) against the rest. */
  | { shape: "majority-minority"; minority: string[] }
  /** Nodes in a ring in this order; each sees the majority that starts at itself. */
  | { shape: "majorities-ring"; order: string[] }
  /** Halves of this order; the first node of the second half talks to both sides. */
  | { shape: "bridge"; order: string[] }
  /** Nothing from `from` region reaches `to` region; the other direction still flows. */
  | { shape: "one-way"; from: RegionName; to: RegionName }
  /** isolate-region for node-to-node links only: replication is cut, clients reach every node. */
  | { shape: "partial"; region: RegionName };

export type PartitionShape = PartitionShapeSpec["shape"];

export const PARTITION_SHAPES: readonly PartitionShape[] = [
  "isolate-region",
  "isolate-node",
  "halves",
  "majority-minority",
  "majorities-ring",
  "bridge",
  "one-way",
  "partial",
];

/** The least a topology must have for a shape to mean anything. */
const SHAPE_NEEDS: Record<PartitionShape, { regions: number; nodes: number }> = {
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

/** A short phrase for the history: "isolate eu-west", "majorities ring a b c". With the topology,
 *  a partial cut names the regions on the other side. */
export function describeShape(spec: PartitionShapeSpec, topology?: Pick<TopologySpec, "regions">): string {
  switch (spec.shape) {
    case "isolate-region":
      return `isolate ${spec.region}`;
    case "partial":
      return `partial: replication between ${spec.region} and ${otherRegions(spec.region, topology)} cut, clients still reach every node`;
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

/** The fields of a partition spec each shape needs (the schema leaves them all optional). */
export const SHAPE_FIELDS: Record<PartitionShape, string[]> = {
  "isolate-region": ["region"],
  partial: ["region"],
  "isolate-node": ["node"],
  halves: ["order"],
  "majorities-ring": ["order"],
  bridge: ["order"],
  "majority-minority": ["minority"],
  "one-way": ["from", "to"],
};

/** Regions with nodes inside while other regions have nodes too: where a partial partition cuts something. */
function partialRegions(topology: TopologySpec): string[] {
  return topology.regions
    .map((r) => r.name)
    .filter((r) => {
      const inside = topology.nodes.filter((n) => n.region === r).length;
      return inside > 0 && inside < topology.nodes.length;
    });
}

/** Why a shape cannot be planned on this topology (before any choice is made), or undefined. */
export function whyNotShape(topology: TopologySpec, shape: PartitionShape): string | undefined {
  const needs = SHAPE_NEEDS[shape];
  const r = topology.regions.length;
  const n = topology.nodes.length;
  if (r < needs.regions) {
    return `partition shape '${shape}' needs at least ${needs.regions} regions, but the scenario has ${r} (${topology.regions.map((x) => x.name).join(", ")})`;
  }
  if (n < needs.nodes) {
    return `partition shape '${shape}' needs at least ${needs.nodes} nodes, but the scenario has ${n}`;
  }
  if (shape === "partial" && partialRegions(topology).length === 0) {
    return "partition shape 'partial' needs a region with nodes while other regions also have nodes";
  }
  return undefined;
}

/** Shapes this topology can carry. */
export function applicableShapes(topology: TopologySpec): PartitionShape[] {
  return PARTITION_SHAPES.filter((s) => whyNotShape(topology, s) === undefined);
}

/** The random choices a shape needs, made now so the spec replays exactly. */
export function planShape(shape: PartitionShape, rng: Prng, topo: TopologySpec): PartitionShapeSpec {
  const regions = topo.regions.map((r) => r.name);
  const nodes = topo.nodes.map((n) => n.name);
  switch (shape) {
    case "isolate-region":
      return { shape, region: rng.pick(regions) };
    case "partial":
      return { shape, region: rng.pick(partialRegions(topo)) };
    case "isolate-node":
      return { shape, node: rng.pick(nodes) };
    case "halves":
    case "majorities-ring":
    case "bridge":
      return { shape, order: rng.shuffle(nodes) };
    case "majority-minority":
      return { shape, minority: rng.sample(nodes, rng.int(1, nodes.length - majority(nodes.length))) };
    case "one-way": {
      const [from, to] = rng.sample(regions, 2) as [string, string];
      return { shape, from, to };
    }
  }
}

/** "us-east", "us-east and ap-south", or "every other region" when the topology is not known. */
function otherRegions(region: string, topology?: Pick<TopologySpec, "regions">): string {
  const others = topology?.regions.map((r) => r.name).filter((r) => r !== region) ?? [];
  if (others.length === 0) return "every other region";
  return others.length === 1 ? others[0]! : `${others.slice(0, -1).join(", ")} and ${others.at(-1)}`;
}
