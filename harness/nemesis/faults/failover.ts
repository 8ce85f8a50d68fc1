/**
 * Failover: promote a replica, then move write routing to it with a split window (some processes
 * keep writing to the old primary until their routing converges). The old primary is left running
 * as it was: it may still accept writes, which is the split brain the checkers look for.
 * Stop ends the routing window; it does not undo the promotion (nothing can), so a run plans at
 * most one.
 */
import { z } from "zod";
import { type FaultDefinition, unknownNode } from "../fault-definition.ts";
import type { Fault, FaultContext } from "../fault.ts";

/** Promote `to` at start and move write routing from `from` to `to`; during `windowMs` a fraction
 *  `splitFraction` of processes still write to `from` (DNS convergence). Stop ends the window. */
export interface FailoverSpec {
  kind: "failover";
  from: string;
  to: string;
  windowMs: number;
  splitFraction: number;
}

export class FailoverFault implements Fault {
  readonly f = "failover";
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly spec: FailoverSpec) {}

  async start(ctx: FaultContext): Promise<string> {
    const { from, to, windowMs, splitFraction } = this.spec;
    const node = ctx.nodes.get(to);
    if (!node) throw new Error(`failover: no node '${to}' (nodes: ${[...ctx.nodes.keys()].join(", ")})`);
    if (!node.promote)
      throw new Error(`failover: node '${to}' (${node.spec.store}) cannot be promoted by faultline`);
    await node.promote();
    if (!ctx.router) return `promoted ${to}; no router in this run, client routing unchanged`;
    ctx.router.failover(to, windowMs, splitFraction);
    const router = ctx.router;
    this.timer = setTimeout(() => router.converge(), windowMs);
    const pct = Math.round(splitFraction * 100);
    return `failover ${from} -> ${to}: promoted ${to}; writes move to ${to}, ${pct}% of processes still write to ${from} for ${windowMs}ms`;
  }

  async stop(ctx: FaultContext): Promise<string> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!ctx.router) return `failover to ${this.spec.to} stays (no router)`;
    ctx.router.converge();
    return `routing converged on ${ctx.router.primary}`;
  }
}

const nonNeg = z.number().finite().min(0);

export const failoverFault: FaultDefinition<FailoverSpec> = {
  kind: "failover",
  oncePerRun: true,
  schema: z
    .object({
      kind: z.literal("failover"),
      from: z.string(),
      to: z.string(),
      windowMs: nonNeg,
      splitFraction: z.number().min(0).max(1),
    })
    .strict(),
  checkSpec: (spec, topology) => [
    ...unknownNode(topology, spec.from, "from"),
    ...unknownNode(topology, spec.to, "to"),
  ],
  whyNot(_choice, topology) {
    const primary = topology.nodes.some((n) => n.role === "primary");
    const replica = topology.nodes.some((n) => n.role === "replica");
    return primary && replica
      ? undefined
      : "nemesis 'failover' needs a primary and a replica in the scenario's topology";
  },
  plan(_choice, rng, { topology, durationMs, failoverWindowMs }) {
    const from = topology.nodes.find((n) => n.role === "primary")!.name;
    const to = rng.pick(topology.nodes.filter((n) => n.role === "replica").map((n) => n.name));
    const windowMs = Math.round(failoverWindowMs ?? durationMs / 3);
    return { kind: "failover", from, to, windowMs, splitFraction: 0.5 };
  },
  describe: (spec) =>
    `failover ${spec.from} -> ${spec.to} (routing split ${Math.round(spec.splitFraction * 100)}% for ${spec.windowMs}ms)`,
  create: (spec) => new FailoverFault(spec),
};
