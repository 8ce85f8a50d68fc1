/**
 * A toy fault defined outside harness/, the way a new fault is added: one definition (names,
 * schema, applicability, planning, words, apply and heal) handed to `registerFault`. It raises a
 * coloured flag on a node in `raisedFlags` while it runs, so a test can watch it start and heal.
 */
import { z } from "zod";
import type { Fault } from "../../harness/nemesis/fault.ts";
import { type FaultDefinition, unknownNode } from "../../harness/nemesis/fault-definition.ts";

export interface ToyFlagSpec {
  kind: "toy-flag";
  node: string;
  color: "red" | "blue";
  /** How high, planned from the seed. */
  heightCm: number;
}

/** "node:color" for every flag up now. */
export const raisedFlags = new Set<string>();

class ToyFlagFault implements Fault {
  readonly f = "toy-flag";
  constructor(readonly spec: ToyFlagSpec) {}
  async start(): Promise<string> {
    raisedFlags.add(`${this.spec.node}:${this.spec.color}`);
    return `raised ${toyFlagFault.describe(this.spec)}`;
  }
  async stop(): Promise<string> {
    raisedFlags.delete(`${this.spec.node}:${this.spec.color}`);
    return `lowered the ${this.spec.color} flag on ${this.spec.node}`;
  }
}

export const toyFlagFault: FaultDefinition<ToyFlagSpec> = {
  kind: "toy-flag",
  variants: { noun: "color", names: ["red", "blue"] },
  aliases: { flag: "toy-flag", "red-flag": "toy-flag-red" },
  schema: z
    .object({
      kind: z.literal("toy-flag"),
      node: z.string(),
      color: z.enum(["red", "blue"]),
      heightCm: z.number().int().positive(),
    })
    .strict(),
  checkSpec: (spec, topology) => unknownNode(topology, spec.node, "node"),
  whyNot: (choice, topology) =>
    topology.nodes.some((n) => n.role === "primary")
      ? undefined
      : `nemesis '${choice.name}' flies its flag on a primary, and the scenario has none`,
  plan: (choice, rng, { topology }) => ({
    kind: "toy-flag",
    node: topology.nodes.find((n) => n.role === "primary")!.name,
    color: (choice.variant as "red" | "blue" | undefined) ?? rng.pick(["red", "blue"] as const),
    heightCm: rng.int(10, 200),
  }),
  describe: (spec) => `${spec.color} flag on ${spec.node} at ${spec.heightCm}cm`,
  create: (spec) => new ToyFlagFault(spec),
};
