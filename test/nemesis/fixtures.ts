/** Topologies for tests: regions with nodes, client links to every node, and peer or replication links. */
import { type LinkSpec, linkName, type NodeSpec, type TopologySpec } from "../../harness/topology.ts";

/** `nodesPerRegion` etcd-like peers per region, every node dialling every other (peer links). */
export function peerTopology(regions: readonly string[], nodesPerRegion = 1): TopologySpec {
  const nodes: NodeSpec[] = regions.flatMap((region) =>
    Array.from({ length: nodesPerRegion }, (_, i) => ({
      name: `n-${region}-${i + 1}`,
      region,
      store: "etcd" as const,
      role: "peer" as const,
    })),
  );
  const links: LinkSpec[] = [];
  for (const r of regions) {
    for (const n of nodes) {
      const from = { kind: "clients" as const, region: r };
      links.push({ name: linkName(from, n.name), kind: "client", from, to: n.name, toRegion: n.region });
    }
  }
  for (const a of nodes) {
    for (const b of nodes) {
      if (a === b) continue;
      const from = { kind: "node" as const, node: a.name, region: a.region };
      links.push({ name: linkName(from, b.name), kind: "peer", from, to: b.name, toRegion: b.region });
    }
  }
  return { regions: regions.map((name) => ({ name })), nodes, links, latency: {} };
}

/** PostgreSQL-like: primary in the first region, one async replica in each other region. */
export function primaryReplicaTopology(regions: readonly string[]): TopologySpec {
  const nodes: NodeSpec[] = regions.map((region, i) => ({
    name: `pg-${region}-1`,
    region,
    store: "postgres",
    role: i === 0 ? "primary" : "replica",
  }));
  const primary = nodes[0]!;
  const links: LinkSpec[] = [];
  for (const r of regions) {
    for (const n of nodes) {
      const from = { kind: "clients" as const, region: r };
      links.push({ name: linkName(from, n.name), kind: "client", from, to: n.name, toRegion: n.region });
    }
  }
  for (const n of nodes.slice(1)) {
    const from = { kind: "node" as const, node: n.name, region: n.region };
    links.push({
      name: linkName(from, primary.name),
      kind: "replication",
      from,
      to: primary.name,
      toRegion: primary.region,
    });
  }
  return { regions: regions.map((name) => ({ name })), nodes, links, latency: {} };
}
