/**
 * The partition fault: computes its shape's cut set on the running topology and applies it, on
 * proxied links (blackhole or refuse) and, for gossiping stores, on the packet network. Whatever
 * the shape, this is the only code that cuts and heals.
 */
import { type CutSet, describeLinkCut, linkCuts } from "./cuts.ts";
import type { Fault, FaultContext } from "./fault.ts";
import { newFaultTag } from "./fault-id.ts";
import { ProxyLinks } from "./proxy-links.ts";
import { checkShape, cutsForShape, describeShape } from "./shapes.ts";
import type { PartitionSpec } from "./spec.ts";

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
    const proxy = new ProxyLinks(ctx.proxyUrl);
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
    const head = `${describeShape(this.spec)}${this.spec.scope === "peers" ? " (peers only)" : ""} (${this.spec.mechanism})`;
    return what.length ? `${head}: cut ${what.join(", ")}` : `${head}: no links to cut`;
  }

  async stop(ctx: FaultContext): Promise<string> {
    const proxy = new ProxyLinks(ctx.proxyUrl);
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
    if (errors.length) throw new Error(`healing '${describeShape(this.spec)}' failed: ${errors.join("; ")}`);
    return `healed: ${describeShape(this.spec)}`;
  }
}
