/**
 * The partition fault: computes its shape's cut set on the running topology and applies it, on
 * proxied links (blackhole or refuse) and, for gossiping stores, on the packet network. Whatever
 * the shape, this is the only code that cuts and heals. The shapes themselves (what each cuts,
 * needs, plans and is called) are in ../shapes.ts; `partition-<shape>` pins one.
 */
import { z } from "zod";
import { type CutSet, describeLinkCut, linkCuts } from "../cuts.ts";
import type { FaultDefinition, SpecProblem } from "../fault-definition.ts";
import type { Fault, FaultContext } from "../fault.ts";
import { newFaultTag } from "../fault-id.ts";
import { ProxyLinks } from "../proxy-links.ts";
import {
  applicableShapes,
  checkShape,
  cutsForShape,
  describeShape,
  PARTITION_SHAPES,
  type PartitionShape,
  type PartitionShapeSpec,
  planShape,
  SHAPE_FIELDS,
  whyNotShape,
} from "../shapes.ts";

/** blackhole: Toxiproxy `timeout` toxic with timeout 0 (data stops, connections hang).
 *  refuse: the proxy is disabled (existing connections close, new ones are refused). */
export type PartitionMechanism = "blackhole" | "refuse";

/** all: node and client links. peers: only node-to-node links (replication, gossip); clients still
 *  reach every node; the seeds' "partial partition". */
export type PartitionScope = "all" | "peers";

export type PartitionSpec = {
  kind: "partition";
  mechanism: PartitionMechanism;
  scope?: PartitionScope;
} & PartitionShapeSpec;

/** "isolate eu-west (peers only) (blackhole)": the shape, the scope and the mechanism. */
function partitionWords(spec: PartitionSpec, topology?: FaultContext["topology"]): string {
  return `${describeShape(spec, topology)}${spec.scope === "peers" ? " (peers only)" : ""} (${spec.mechanism})`;
}

export class PartitionFault implements Fault {
  readonly f = "partition";
  private readonly tag = newFaultTag("partition");
  private disabled: string[] = [];
  private packetsCut = false;

  constructor(readonly spec: PartitionSpec) {}

  /** The cut set this fault makes on a topology (for tests and reports). */
  cuts(ctx: Pick<FaultContext, "topology">): CutSet {
    return cutsForShape(ctx.topology, this.spec);
  }

  async start(ctx: FaultContext): Promise<string> {
    const bad = checkShape(ctx.topology, this.spec);
    if (bad) throw new Error(bad);
    const cuts = this.cuts(ctx);
    const affected = linkCuts(
      cuts,
      ctx.links.map((l) => l.spec),
    );
    const proxy = ProxyLinks.of(ctx);
    const what: string[] = [];
    if (this.spec.mechanism === "refuse") {
      // A disabled proxy refuses both directions: a one-way cut becomes a two-way one here.
      for (const c of affected) {
        this.disabled.push(c.link.name);
        await proxy.setEnabled(c.link.name, false);
      }
      what.push(...affected.map((c) => `${c.link.name} ${c.link.kind} (refused)`));
    } else {
      await proxy.blackhole(affected, this.tag);
      what.push(...affected.map(describeLinkCut));
    }
    if (ctx.packets) {
      this.packetsCut = true;
      what.push(...(await ctx.packets.cut(cuts, this.tag)));
    }
    const head = partitionWords(this.spec, ctx.topology);
    return what.length ? `${head}: cut ${what.join(", ")}` : `${head}: no links to cut`;
  }

  async stop(ctx: FaultContext): Promise<string> {
    const proxy = ProxyLinks.of(ctx);
    const errors: string[] = [];
    const attempt = async (f: () => Promise<void>) => {
      try {
        await f();
      } catch (e) {
        errors.push(e instanceof Error ? e.message : String(e));
      }
    };
    // Heal from what the topology says rather than only what start recorded, in case start died half-way.
    const links = ctx.links.map((l) => l.spec.name);
    await attempt(() => proxy.removeToxicsWithPrefix(links, this.tag));
    for (const link of this.disabled) await attempt(() => proxy.setEnabled(link, true));
    if (this.packetsCut && ctx.packets) await attempt(() => ctx.packets!.heal(this.tag));
    this.disabled = [];
    this.packetsCut = false;
    if (errors.length)
      throw new Error(`healing '${describeShape(this.spec, ctx.topology)}' failed: ${errors.join("; ")}`);
    return `healed: ${describeShape(this.spec, ctx.topology)}`;
  }
}

export const partitionFault: FaultDefinition<PartitionSpec> = {
  kind: "partition",
  variants: { noun: "shape", names: PARTITION_SHAPES },
  aliases: {
    "partition-replication": "partition-partial",
    "partition-region": "partition-isolate-region",
    "partition-node": "partition-isolate-node",
    "partition-ring": "partition-majorities-ring",
  },
  // One object for every shape, as test.json has always had them; checkSpec asks for the fields
  // the shape needs.
  schema: z
    .object({
      kind: z.literal("partition"),
      mechanism: z.enum(["blackhole", "refuse"]),
      scope: z.enum(["all", "peers"]).optional(),
      shape: z.enum(PARTITION_SHAPES as [PartitionShape, ...PartitionShape[]]),
      region: z.string().optional(),
      node: z.string().optional(),
      order: z.array(z.string()).optional(),
      minority: z.array(z.string()).optional(),
      from: z.string().optional(),
      to: z.string().optional(),
    })
    .strict(),
  checkSpec(spec, topology): SpecProblem[] {
    const missing = SHAPE_FIELDS[spec.shape].filter(
      (k) => (spec as Record<string, unknown>)[k] === undefined,
    );
    if (missing.length) return [{ message: `partition shape '${spec.shape}' needs ${missing.join(", ")}` }];
    const why = checkShape(topology, spec);
    return why ? [{ message: why }] : [];
  },
  whyNot(choice, topology) {
    if (choice.variant) return whyNotShape(topology, choice.variant as PartitionShape);
    return applicableShapes(topology).length === 0
      ? `nemesis 'partition' has no shape that fits a scenario with ${topology.regions.length} region(s) and ${topology.nodes.length} node(s)`
      : undefined;
  },
  plan(choice, rng, { topology, mechanism }) {
    const shape = (choice.variant as PartitionShape | undefined) ?? rng.pick(applicableShapes(topology));
    return { kind: "partition", mechanism: mechanism ?? "blackhole", ...planShape(shape, rng, topology) };
  },
  describe: (spec) => `partition: ${partitionWords(spec)}`,
  create: (spec) => new PartitionFault(spec),
};
