/**
 * Regions, nodes and links: the shape of a test's world.
 *
 * Every connection that crosses a region boundary, and every client-to-node connection, goes
 * through a proxy the harness owns, one per directed link. A fault is a change to a set of links.
 */

export type RegionName = string;

export interface RegionSpec {
  name: RegionName;
}

/** `writer`: one of several nodes that all take writes (multi-writer layouts). */
export type NodeRole = "primary" | "replica" | "peer" | "sentinel" | "writer";

export interface NodeSpec {
  /** Unique, e.g. `pg-us-east-1`. */
  name: string;
  region: RegionName;
  store: "postgres" | "redis" | "etcd";
  role: NodeRole;
}

/** Who dials: a node (replication, peer traffic) or the clients of a region. */
export type LinkSource =
  { kind: "node"; node: string; region: RegionName } | { kind: "clients"; region: RegionName };

export type LinkKind = "client" | "replication" | "peer";

export interface LinkSpec {
  /** Proxy name, e.g. `client@us-east->pg-eu-west-1`, `pg-eu-west-1->pg-us-east-1`. */
  name: string;
  kind: LinkKind;
  from: LinkSource;
  /** The node dialled. */
  to: string;
  toRegion: RegionName;
}

/** One-way latency between two regions, applied to links that cross them. */
export interface Latency {
  latencyMs: number;
  jitterMs: number;
}

export interface TopologySpec {
  regions: RegionSpec[];
  nodes: NodeSpec[];
  links: LinkSpec[];
  /** Keyed by `a<->b` with region names sorted; absent pairs have no added latency. */
  latency: Record<string, Latency>;
}

export function regionPairKey(a: RegionName, b: RegionName): string {
  return [a, b].sort().join("<->");
}

export function linkName(from: LinkSource, to: string): string {
  return from.kind === "clients" ? `client@${from.region}->${to}` : `${from.node}->${to}`;
}

export function latencyBetween(spec: TopologySpec, a: RegionName, b: RegionName): Latency | undefined {
  if (a === b) return undefined;
  return spec.latency[regionPairKey(a, b)];
}

/** A started node: where it listens directly (the proxies point here), and its process. */
export interface RunningNode {
  spec: NodeSpec;
  host: string;
  port: number;
  pid: number | undefined;
  logFile: string;
}

/** A started link: the proxy's listen address (what the dialler is given) and its upstream. */
export interface RunningLink {
  spec: LinkSpec;
  listenHost: string;
  listenPort: number;
  upstream: string;
  /** The Toxiproxy API that owns this link's proxy, when it is not the run's own (external backend). */
  apiUrl?: string;
  /** The proxy's name on that API, when it is not the link's name. */
  proxyName?: string;
}
