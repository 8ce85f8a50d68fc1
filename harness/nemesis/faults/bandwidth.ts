/** bandwidth: a rate limit on every link between two regions, both directions; stop lifts it. */
import { z } from "zod";
import type { FaultDefinition } from "../fault-definition.ts";
import { needsTwoRegions, RegionPairToxicFault, regionPairSchema, unknownRegions } from "../link-faults.ts";
import type { RegionName } from "../../topology.ts";

/** A bandwidth limit on every link between two regions, in KB/s. */
export interface BandwidthSpec {
  kind: "bandwidth";
  regions: [RegionName, RegionName];
  rateKBps: number;
}

export class BandwidthFault extends RegionPairToxicFault {
  readonly f = "bandwidth";
  constructor(readonly spec: BandwidthSpec) {
    super(spec.regions, "bandwidth");
  }
  protected toxic() {
    return { type: "bandwidth" as const, attributes: { rate: this.spec.rateKBps } };
  }
  protected words(): string {
    return `bandwidth ${this.spec.regions.join("<->")} limited to ${this.spec.rateKBps} KB/s`;
  }
}

export const bandwidthFault: FaultDefinition<BandwidthSpec> = {
  kind: "bandwidth",
  schema: z
    .object({ kind: z.literal("bandwidth"), regions: regionPairSchema, rateKBps: z.number().positive() })
    .strict(),
  checkSpec: (spec, topology) => unknownRegions(topology, spec.regions),
  whyNot: needsTwoRegions,
  plan: (_choice, rng, { topology }) => ({
    kind: "bandwidth",
    regions: rng.sample(
      topology.regions.map((r) => r.name),
      2,
    ) as [string, string],
    rateKBps: rng.pick([8, 32, 128]),
  }),
  describe: (spec) => `bandwidth ${spec.regions.join("<->")} ${spec.rateKBps} KB/s`,
  create: (spec) => new BandwidthFault(spec),
};
