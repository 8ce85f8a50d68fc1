/**
 * Failover: promote a replica, then move write routing to it with a split window (some processes
 * keep writing to the old primary until their routing converges). The old primary is left running
 * as it was: it may still accept writes, which is the split brain the checkers look for.
 * Stop ends the routing window; it does not undo the promotion (nothing can).
 */
import type { Fault, FaultContext } from "./fault.ts";
import type { FailoverSpec } from "./spec.ts";

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
