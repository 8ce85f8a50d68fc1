/**
 * dns-split: the seeds' "split-brain traffic routing during DNS convergence" for home-region
 * routing. For a window, a share of the client processes resolves the home of keys homed in some
 * regions to the wrong region (the next one in the layout), so those keys are written in two
 * places at once; then routing converges. It only changes where the router sends writes of
 * scenarios that route writes to a key's home (`routing.writes: "home"`); elsewhere it is a no-op.
 */
import { z } from "zod";
import type { FaultDefinition, SpecProblem } from "../fault-definition.ts";
import type { Fault, FaultContext } from "../fault.ts";
import { needsTwoRegions } from "../link-faults.ts";
import type { RegionName } from "../../topology.ts";

export const DNS_SPLIT = "dns-split";

export interface DnsSplitSpec {
  kind: "dns-split";
  /** Regions whose keys some processes send to the wrong region during the window. */
  homes: RegionName[];
  windowMs: number;
  /** Share of processes that resolve wrongly. */
  splitFraction: number;
}

export class DnsSplitFault implements Fault {
  readonly f = DNS_SPLIT;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly spec: DnsSplitSpec) {}

  async start(ctx: FaultContext): Promise<string> {
    const { homes, windowMs, splitFraction } = this.spec;
    if (!ctx.router) return "dns-split: no router in this run, routing unchanged";
    const router = ctx.router;
    router.splitHomes(homes, windowMs, splitFraction);
    this.timer = setTimeout(() => router.convergeHomes(), windowMs);
    return `dns-split: for ${windowMs} ms, ${Math.round(splitFraction * 100)}% of processes write keys homed in ${homes.join(", ")} to the wrong region`;
  }

  async stop(ctx: FaultContext): Promise<string> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    ctx.router?.convergeHomes();
    return "home routing converged: every key's writes go to its home region";
  }
}

export const dnsSplitFault: FaultDefinition<DnsSplitSpec> = {
  kind: DNS_SPLIT,
  schema: z
    .object({
      kind: z.literal(DNS_SPLIT),
      homes: z.array(z.string()).min(1),
      windowMs: z.number().finite().min(0),
      splitFraction: z.number().min(0).max(1),
    })
    .strict(),
  checkSpec(spec, topology): SpecProblem[] {
    const regions = topology.regions.map((r) => r.name);
    return spec.homes
      .filter((r) => !regions.includes(r))
      .map((r) => ({ field: "homes", message: `no region '${r}' (regions: ${regions.join(", ")})` }));
  },
  whyNot: needsTwoRegions,
  plan: (_choice, _rng, { topology, durationMs }) => ({
    kind: DNS_SPLIT,
    homes: topology.regions.map((r) => r.name),
    windowMs: Math.round(durationMs),
    splitFraction: 0.5,
  }),
  describe: (spec) =>
    `dns-split: ${Math.round(spec.splitFraction * 100)}% of clients write keys of ${spec.homes.join(", ")} to the wrong region for ${spec.windowMs}ms`,
  create: (spec) => new DnsSplitFault(spec),
};
