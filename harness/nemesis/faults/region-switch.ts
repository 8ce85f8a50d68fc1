/**
 * region-switch: the seeds' "sessions switching region mid-session". For the fault's duration a
 * seeded share of every region's client sessions is in the next region of the layout (a DNS
 * change, a VPN, a mobile network moved them): their reads go to that region's node and every
 * connection goes through that region's client links; then they move back. A session keeps its
 * causality token when it moves, so `pinned` reads stay read-your-writes while `local` reads of a
 * moved session may go back in time (read-your-writes, monotonic-reads).
 */
import { z } from "zod";
import type { FaultDefinition, SpecProblem } from "../fault-definition.ts";
import type { Fault, FaultContext } from "../fault.ts";
import { needsTwoRegions } from "../link-faults.ts";
import type { RegionName } from "../../topology.ts";

export const REGION_SWITCH = "region-switch";

export interface RegionSwitchSpec {
  kind: "region-switch";
  /** The layout's regions in order: a moved session goes to the next one (the last to the first). */
  regions: RegionName[];
  /** Share of each region's sessions that move. */
  fraction: number;
  /** How long they stay moved, ms (the fault's duration). */
  windowMs: number;
}

export class RegionSwitchFault implements Fault {
  readonly f = REGION_SWITCH;

  constructor(readonly spec: RegionSwitchSpec) {}

  async start(ctx: FaultContext): Promise<string> {
    const { regions, fraction, windowMs } = this.spec;
    if (!ctx.router) return "region-switch: no router in this run, sessions unchanged";
    ctx.router.switchRegions(regions, windowMs, fraction);
    return `region-switch: ${Math.round(fraction * 100)}% of sessions moved to the next region (${regions.join(" -> ")} -> ${regions[0]}) for ${windowMs} ms`;
  }

  async stop(ctx: FaultContext): Promise<string> {
    ctx.router?.endRegionSwitch();
    return "region-switch healed: every session is back in its home region";
  }
}

export const regionSwitchFault: FaultDefinition<RegionSwitchSpec> = {
  kind: REGION_SWITCH,
  aliases: { "session-switch": REGION_SWITCH },
  schema: z
    .object({
      kind: z.literal(REGION_SWITCH),
      regions: z.array(z.string()).min(2),
      fraction: z.number().min(0).max(1),
      windowMs: z.number().finite().min(0),
    })
    .strict(),
  checkSpec(spec, topology): SpecProblem[] {
    const known = topology.regions.map((r) => r.name);
    return spec.regions
      .filter((r) => !known.includes(r))
      .map((r) => ({ field: "regions", message: `no region '${r}' (regions: ${known.join(", ")})` }));
  },
  whyNot: needsTwoRegions,
  plan: (_choice, _rng, { topology, durationMs }) => ({
    kind: REGION_SWITCH,
    regions: topology.regions.map((r) => r.name),
    fraction: 0.5,
    windowMs: Math.round(durationMs),
  }),
  describe: (spec) =>
    `region-switch: ${Math.round(spec.fraction * 100)}% of sessions in the next region (${spec.regions.join(" -> ")}) for ${spec.windowMs}ms`,
  create: (spec) => new RegionSwitchFault(spec),
};
