/**
 * What one kind of fault is, in one place: the names a user may give it, its spec as JSON (zod
 * schema and TypeScript type), where it applies, how it plans a spec from the seeded PRNG, how it
 * reads in words, and how it is applied and healed. Each kind is one file in `faults/`, listed in
 * `registry.ts`; validation (catalog.ts), planning (schedule.ts), replay parsing (spec-schema.ts),
 * `faultFromSpec` and `describeFault` only ever ask the registry.
 */
import type { z } from "zod";
import type { Prng } from "../generator/prng.ts";
import type { TopologySpec } from "../topology.ts";
import type { Fault } from "./fault.ts";
import type { PartitionMechanism } from "./faults/partition.ts";

/** Every fault spec is plain JSON with a `kind` naming its definition. */
export interface FaultSpecBase {
  kind: string;
}

/** A nemesis name the user gave, resolved: which kind, and the variant the name pins
 *  (`partition-halves` -> kind partition, variant halves). */
export interface NemesisChoice {
  /** As the user wrote it (aliases included), for error messages. */
  name: string;
  kind: string;
  variant?: string;
}

/** What the machine offers. A field that is absent is detected by the definition that needs it;
 *  present (even as undefined) it is taken as is, so tests can pretend. */
export interface NemesisEnvironment {
  libfaketime?: string | undefined;
}

/** Knobs a scenario or the CLI may set on planning; each is read by the definition it concerns. */
export interface PlanKnobs {
  /** How link partitions are made. Default blackhole. */
  mechanism?: PartitionMechanism;
  /** Largest clock jump, ms. Default 30 s. */
  maxClockSkewMs?: number;
  /** Typical extra latency of a spike, ms. Default 250. */
  latencySpikeMs?: number;
  /** Failover routing window, ms. Default: a third of the fault's duration. */
  failoverWindowMs?: number;
}

/** What a definition plans one fault from. */
export interface PlanContext extends PlanKnobs {
  topology: TopologySpec;
  /** How long the planned fault will last, ms. */
  durationMs: number;
}

/** A problem with a spec read back from a file; `field` is under `spec` (`node`, `regions`),
 *  absent when the problem is with the spec as a whole. */
export interface SpecProblem {
  field?: string;
  message: string;
}

export interface FaultDefinition<S extends FaultSpecBase = FaultSpecBase> {
  /** The spec's `kind`, and the nemesis name that picks this fault: "partition". */
  readonly kind: S["kind"];
  /** Names that pin one variant, given as `<kind>-<variant>` (`partition-halves`); `noun` names
   *  what a variant is in messages ("shape"). */
  readonly variants?: { noun: string; names: readonly string[] };
  /** Older or friendlier names: alias -> a name this definition accepts (`crash` -> `kill`). */
  readonly aliases?: Readonly<Record<string, string>>;
  /** Planned at most once per run (a failover cannot be undone). */
  readonly oncePerRun?: boolean;
  /** The spec as recorded in `test.json`, checked on replay: a strict z.object whose `kind` is
   *  `z.literal(kind)`. It may be looser than `S` (fields that depend on each other); `checkSpec`
   *  says the rest. */
  readonly schema: z.ZodObject<{ kind: z.ZodLiteral<S["kind"]> } & z.ZodRawShape>;
  /** What the schema cannot say about a parsed spec: fields required together, and nodes and
   *  regions that must exist in the topology. Empty when the spec is good. */
  checkSpec(spec: S, topology: TopologySpec): SpecProblem[];
  /** Why this choice cannot run on this topology and machine, or undefined when it can. */
  whyNot(choice: NemesisChoice, topology: TopologySpec, env: NemesisEnvironment): string | undefined;
  /** A spec for one slot. Every random choice is drawn from `rng` here, in a fixed order, and
   *  recorded in the spec: the same seed gives the same spec, and a replay does the same thing. */
  plan(choice: NemesisChoice, rng: Prng, ctx: PlanContext): S;
  /** The planned fault in words, before it runs ("kill pg-eu-west-1"). */
  describe(spec: S): string;
  /** A runnable fault for the spec: `start` applies it, `stop` heals it. */
  create(spec: S): Fault;
  /** Nodes that must be started with a fake clock for this spec to work (clock faults). */
  clockNodes?(spec: S): string[];
}

/** The check kill, pause and clock share: they act on one node, so the scenario needs one. */
export function needsANode(choice: NemesisChoice, topology: TopologySpec): string | undefined {
  return topology.nodes.length === 0
    ? `nemesis '${choice.name}' needs a node, the scenario has none`
    : undefined;
}

/** The check for a field that names a node: a problem when the topology has no such node. */
export function unknownNode(topology: TopologySpec, node: string, field: string): SpecProblem[] {
  const nodes = topology.nodes.map((n) => n.name);
  return nodes.includes(node) ? [] : [{ field, message: `no node '${node}' (nodes: ${nodes.join(", ")})` }];
}
