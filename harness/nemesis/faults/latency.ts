/** latency: a spike of extra latency (with jitter) on every link between two regions, both
 *  directions, on top of the base matrix; stop removes it. */
import { z } from "zod";
import type { FaultDefinition } from "../fault-definition.ts";
import { needsTwoRegions, RegionPairToxicFault, regionPairSchema, unknownRegions } from "../link-faults.ts";
import type { RegionName } from "../../topology.ts";

/** Extra latency on every link between two regions (both directions), on top of the base matrix. */
export interface LatencySpec {
  kind: "latency";
  regions: [RegionName, RegionName];
  latencyMs: number;
  jitterMs: number;
}

export class LatencyFault extends RegionPairToxicFault {
  readonly f = "latency";
  constructor(readonly spec: LatencySpec) {
    super(spec.regions, "latency");
  }
  protected toxic() {
    return {
      type: "latency" as const,
      attributes: { latency: this.spec.latencyMs, jitter: this.spec.jitterMs },
    };
  }
  protected words(): string {
    return latencyFault.describe(this.spec);
  }
}

const nonNeg = z.number().finite().min(0);

export const latencyFault: FaultDefinition<LatencySpec> = {
  kind: "latency",
  schema: z
    .object({ kind: z.literal("latency"), regions: regionPairSchema, latencyMs: nonNeg, jitterMs: nonNeg })
    .strict(),
  checkSpec: (spec, topology) => unknownRegions(topology, spec.regions),
  whyNot: needsTwoRegions,
  plan(_choice, rng, { topology, latencySpikeMs }) {
    const spike = latencySpikeMs ?? 250;
    const latencyMs = rng.int(Math.ceil(spike / 2), Math.ceil(spike * 1.5));
    const pair = rng.sample(
      topology.regions.map((r) => r.name),
      2,
    ) as [string, string];
    return { kind: "latency", regions: pair, latencyMs, jitterMs: Math.round(latencyMs / 10) };
  },
  describe: (spec) => `latency ${spec.regions.join("<->")} +${spec.latencyMs}ms ±${spec.jitterMs}ms`,
  create: (spec) => new LatencyFault(spec),
};
