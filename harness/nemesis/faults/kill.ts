/** kill: SIGKILL a node at start (no shutdown, no flush), restart it at stop, through `NodeControl`. */
import { z } from "zod";
import { type FaultDefinition, needsANode, unknownNode } from "../fault-definition.ts";
import { type Fault, type FaultContext, nodeControl } from "../fault.ts";

export interface KillSpec {
  kind: "kill";
  node: string;
}

export class KillFault implements Fault {
  readonly f = "kill";
  private killed = false;
  constructor(readonly spec: KillSpec) {}

  async start(ctx: FaultContext): Promise<string> {
    const node = nodeControl(ctx, this.spec.node, "kill");
    this.killed = true;
    await node.kill();
    return `killed ${this.spec.node} (SIGKILL)`;
  }

  async stop(ctx: FaultContext): Promise<string> {
    if (!this.killed) return `${this.spec.node} was not killed`;
    await nodeControl(ctx, this.spec.node, "kill").start();
    this.killed = false;
    return `restarted ${this.spec.node}`;
  }
}

export const killFault: FaultDefinition<KillSpec> = {
  kind: "kill",
  aliases: { crash: "kill" },
  schema: z.object({ kind: z.literal("kill"), node: z.string() }).strict(),
  checkSpec: (spec, topology) => unknownNode(topology, spec.node, "node"),
  whyNot: needsANode,
  plan: (_choice, rng, { topology }) => ({ kind: "kill", node: rng.pick(topology.nodes.map((n) => n.name)) }),
  describe: (spec) => `kill ${spec.node}`,
  create: (spec) => new KillFault(spec),
};
