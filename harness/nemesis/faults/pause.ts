/** pause: SIGSTOP a node at start (queries stall, connections stay open), SIGCONT at stop. */
import { z } from "zod";
import { type FaultDefinition, needsANode, unknownNode } from "../fault-definition.ts";
import { type Fault, type FaultContext, nodeControl } from "../fault.ts";

export interface PauseSpec {
  kind: "pause";
  node: string;
}

export class PauseFault implements Fault {
  readonly f = "pause";
  private paused = false;
  constructor(readonly spec: PauseSpec) {}

  async start(ctx: FaultContext): Promise<string> {
    const node = nodeControl(ctx, this.spec.node, "pause");
    this.paused = true;
    await node.pause();
    return `paused ${this.spec.node} (SIGSTOP)`;
  }

  async stop(ctx: FaultContext): Promise<string> {
    if (!this.paused) return `${this.spec.node} was not paused`;
    await nodeControl(ctx, this.spec.node, "pause").resume();
    this.paused = false;
    return `resumed ${this.spec.node} (SIGCONT)`;
  }
}

export const pauseFault: FaultDefinition<PauseSpec> = {
  kind: "pause",
  schema: z.object({ kind: z.literal("pause"), node: z.string() }).strict(),
  checkSpec: (spec, topology) => unknownNode(topology, spec.node, "node"),
  whyNot: needsANode,
  plan: (_choice, rng, { topology }) => ({
    kind: "pause",
    node: rng.pick(topology.nodes.map((n) => n.name)),
  }),
  describe: (spec) => `pause ${spec.node}`,
  create: (spec) => new PauseFault(spec),
};
