/**
 * The one partition structure (Jepsen's grudge, directed): a set of cut pairs `from -> to`, each
 * meaning "nothing `from` sends reaches `to`". Endpoints are node names and client groups
 * (`client@<region>`, the clients running in a region). Every partition shape only computes a
 * CutSet; `linkCuts` maps it onto the topology's proxied links and one applier applies it.
 */
import type { LinkSource, LinkSpec, RegionName, TopologySpec } from "../topology.ts";

/** A node name, or `client@<region>` for the clients of a region. */
export type Endpoint = string;

export function clientEndpoint(region: RegionName): Endpoint {
  return `client@${region}`;
}

export function sourceEndpoint(from: LinkSource): Endpoint {
  return from.kind === "clients" ? clientEndpoint(from.region) : from.node;
}

export function isClientEndpoint(e: Endpoint): boolean {
  return e.startsWith("client@");
}

export class CutSet {
  private readonly cuts = new Map<Endpoint, Set<Endpoint>>();

  /** Cut `from -> to` (one direction). Cutting an endpoint from itself is ignored. */
  cut(from: Endpoint, to: Endpoint): this {
    if (from === to) return this;
    let tos = this.cuts.get(from);
    if (!tos) {
      tos = new Set();
      this.cuts.set(from, tos);
    }
    tos.add(to);
    return this;
  }

  /** Cut both directions between a and b. */
  cutBoth(a: Endpoint, b: Endpoint): this {
    return this.cut(a, b).cut(b, a);
  }

  isCut(from: Endpoint, to: Endpoint): boolean {
    return this.cuts.get(from)?.has(to) ?? false;
  }

  /** Whether a message from `from` reaches `to`. */
  reaches(from: Endpoint, to: Endpoint): boolean {
    return !this.isCut(from, to);
  }

  /** All cut pairs, sorted, so that descriptions and comparisons are stable. */
  pairs(): Array<[from: Endpoint, to: Endpoint]> {
    const out: Array<[Endpoint, Endpoint]> = [];
    for (const [from, tos] of this.cuts) for (const to of tos) out.push([from, to]);
    return out.sort((a, b) => (a[0] === b[0] ? cmp(a[1], b[1]) : cmp(a[0], b[0])));
  }

  get size(): number {
    let n = 0;
    for (const tos of this.cuts.values()) n += tos.size;
    return n;
  }

  /** The same cuts without any pair that involves a client group (replication/peer links only). */
  peersOnly(): CutSet {
    const out = new CutSet();
    for (const [from, to] of this.pairs()) {
      if (!isClientEndpoint(from) && !isClientEndpoint(to)) out.cut(from, to);
    }
    return out;
  }

  /** Every endpoint in one component is cut both ways from every endpoint in the others. */
  static complete(components: readonly (readonly Endpoint[])[]): CutSet {
    const out = new CutSet();
    components.forEach((a, i) => {
      components.forEach((b, j) => {
        if (i === j) return;
        for (const x of a) for (const y of b) out.cut(x, y);
      });
    });
    return out;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every endpoint of a topology: its nodes, then one client group per region. */
export function endpointsOf(topology: TopologySpec): Endpoint[] {
  return [...topology.nodes.map((n) => n.name), ...topology.regions.map((r) => clientEndpoint(r.name))];
}

export function regionOfEndpoint(topology: TopologySpec, e: Endpoint): RegionName | undefined {
  if (isClientEndpoint(e)) return e.slice("client@".length);
  return topology.nodes.find((n) => n.name === e)?.region;
}

/** What a CutSet means for one proxied link: `upstream` carries dialler -> dialled, `downstream`
 *  the replies. */
export interface LinkCut {
  link: LinkSpec;
  upstream: boolean;
  downstream: boolean;
}

/** The links a CutSet touches, with the streams to stop on each. */
export function linkCuts(cuts: CutSet, links: readonly LinkSpec[]): LinkCut[] {
  const out: LinkCut[] = [];
  for (const link of links) {
    const dialler = sourceEndpoint(link.from);
    const upstream = cuts.isCut(dialler, link.to);
    const downstream = cuts.isCut(link.to, dialler);
    if (upstream || downstream) out.push({ link, upstream, downstream });
  }
  return out;
}

/** "cut pg-eu-west-1->pg-us-east-1 replication", with the direction when only one stream is cut. */
export function describeLinkCut(c: LinkCut): string {
  const streams = c.upstream && c.downstream ? "" : c.upstream ? " (requests only)" : " (replies only)";
  return `${c.link.name} ${c.link.kind}${streams}`;
}
