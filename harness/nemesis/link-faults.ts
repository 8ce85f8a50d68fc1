/**
 * Latency and bandwidth on proxied links: the base latency matrix applied once at start (the
 * regions' geography), and what the latency and bandwidth faults (faults/latency.ts,
 * faults/bandwidth.ts) share: a toxic on every link between a pair of regions.
 * Toxiproxy's latency toxic delays one stream; a one-way latency L goes on both streams, so a
 * request-reply adds 2L, as between real regions.
 */
import { z } from "zod";
import { latencyBetween, type RegionName, type RunningLink, type TopologySpec } from "../topology.ts";
import type { NemesisChoice, SpecProblem } from "./fault-definition.ts";
import type { Fault, FaultContext } from "./fault.ts";
import { newFaultTag } from "./fault-id.ts";
import { BASE_LATENCY_TOXIC, ProxyLinks } from "./proxy-links.ts";

const BOTH = ["upstream", "downstream"] as const;

/** Links between regions a and b, in either direction. */
export function linksBetween(links: readonly RunningLink[], a: RegionName, b: RegionName): RunningLink[] {
  return links.filter((l) => {
    const from = l.spec.from.region;
    const to = l.spec.toRegion;
    return (from === a && to === b) || (from === b && to === a);
  });
}

/**
 * Puts the topology's latency matrix on every cross-region link (both streams). Idempotent: an
 * existing base latency toxic is replaced. Returns how many links got latency.
 */
export async function applyBaseLatency(
  ctx: Pick<FaultContext, "proxyUrl" | "topology" | "links">,
): Promise<number> {
  const proxy = ProxyLinks.of(ctx);
  let n = 0;
  for (const link of ctx.links) {
    const lat = latencyBetween(ctx.topology, link.spec.from.region, link.spec.toRegion);
    if (!lat || (lat.latencyMs <= 0 && lat.jitterMs <= 0)) continue;
    for (const stream of BOTH) {
      const name = `${BASE_LATENCY_TOXIC}-${stream}`;
      await proxy.removeToxic(link.spec.name, name);
      await proxy.addToxic(link.spec.name, {
        name,
        type: "latency",
        stream,
        attributes: { latency: lat.latencyMs, jitter: lat.jitterMs },
      });
    }
    n++;
  }
  return n;
}

/** Adds a toxic on both streams of every link between two regions; stop removes them. */
export abstract class RegionPairToxicFault implements Fault {
  abstract readonly f: string;
  protected readonly tag: string;

  constructor(
    protected readonly regions: [RegionName, RegionName],
    kind: string,
  ) {
    this.tag = newFaultTag(kind);
  }

  protected abstract toxic(): { type: "latency" | "bandwidth"; attributes: Record<string, number> };
  protected abstract words(): string;

  async start(ctx: FaultContext): Promise<string> {
    const links = linksBetween(ctx.links, ...this.regions);
    if (links.length === 0) return `${this.words()}: no links between ${this.regions.join(" and ")}`;
    const proxy = ProxyLinks.of(ctx);
    const t = this.toxic();
    for (const l of links) {
      for (const stream of BOTH) {
        await proxy.addToxic(l.spec.name, { name: `${this.tag}-${stream}`, stream, ...t });
      }
    }
    return `${this.words()} on ${links.map((l) => l.spec.name).join(", ")}`;
  }

  async stop(ctx: FaultContext): Promise<string> {
    const proxy = ProxyLinks.of(ctx);
    await proxy.removeToxicsWithPrefix(
      linksBetween(ctx.links, ...this.regions).map((l) => l.spec.name),
      this.tag,
    );
    return `removed: ${this.words()}`;
  }
}

/** The checks latency and bandwidth share: both act between two regions the topology has. */
export const regionPairSchema = z.tuple([z.string(), z.string()]);

export function needsTwoRegions(choice: NemesisChoice, topology: TopologySpec): string | undefined {
  const regions = topology.regions.length;
  return regions < 2
    ? `nemesis '${choice.name}' acts between two regions, but the scenario has ${regions}`
    : undefined;
}

export function unknownRegions(topology: TopologySpec, pair: readonly RegionName[]): SpecProblem[] {
  const regions = topology.regions.map((r) => r.name);
  return pair
    .filter((r) => !regions.includes(r))
    .map((r) => ({ field: "regions", message: `no region '${r}' (regions: ${regions.join(", ")})` }));
}
