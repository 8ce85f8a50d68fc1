/**
 * The nemesis names a user may ask for (`--nemesis partition,clock`) and what each needs from the
 * topology and the machine. `validateNemeses` runs before anything starts and reports every
 * problem at once.
 */
import { findLibfaketime } from "../clock/faketime.ts";
import type { TopologySpec } from "../topology.ts";
import { SHAPE_NEEDS } from "./shapes.ts";
import { PARTITION_SHAPES, type PartitionShape } from "./spec.ts";

export const NEMESIS_KINDS = [
  "partition",
  "latency",
  "bandwidth",
  "clock",
  "kill",
  "pause",
  "failover",
] as const;
export type NemesisKind = (typeof NEMESIS_KINDS)[number];

/** Older or friendlier names accepted for a specific nemesis. */
const ALIASES: Record<string, string> = {
  "partition-replication": "partition-partial",
  "partition-region": "partition-isolate-region",
  "partition-node": "partition-isolate-node",
  "partition-ring": "partition-majorities-ring",
  skew: "clock",
  crash: "kill",
};

/** A parsed nemesis name: a kind, and for `partition-<shape>` the one shape to use. */
export interface NemesisChoice {
  name: string;
  kind: NemesisKind;
  shape?: PartitionShape;
}

export class NemesisConfigError extends Error {
  override name = "NemesisConfigError";
}

/** What the machine offers; detected when not given (tests pass it to pretend). */
export interface NemesisEnvironment {
  libfaketime?: string | undefined;
}

function knownList(): string {
  return `known: ${NEMESIS_KINDS.join(", ")}; or partition-<shape> with shape one of ${PARTITION_SHAPES.join(", ")}`;
}

/** Parses one name; undefined when unknown. */
export function parseNemesis(raw: string): NemesisChoice | undefined {
  const name = ALIASES[raw] ?? raw;
  if ((NEMESIS_KINDS as readonly string[]).includes(name)) return { name: raw, kind: name as NemesisKind };
  if (name.startsWith("partition-")) {
    const shape = name.slice("partition-".length);
    if ((PARTITION_SHAPES as readonly string[]).includes(shape)) {
      return { name: raw, kind: "partition", shape: shape as PartitionShape };
    }
  }
  return undefined;
}

/** Shapes this topology can carry. */
export function applicableShapes(topology: TopologySpec): PartitionShape[] {
  return PARTITION_SHAPES.filter((s) => whyNotShape(topology, s) === undefined);
}

function whyNotShape(topology: TopologySpec, shape: PartitionShape): string | undefined {
  const needs = SHAPE_NEEDS[shape];
  const r = topology.regions.length;
  const n = topology.nodes.length;
  if (r < needs.regions) {
    return `partition shape '${shape}' needs at least ${needs.regions} regions, but the scenario has ${r} (${topology.regions.map((x) => x.name).join(", ")})`;
  }
  if (n < needs.nodes) {
    return `partition shape '${shape}' needs at least ${needs.nodes} nodes, but the scenario has ${n}`;
  }
  if (shape === "partial" && partialRegions(topology).length === 0) {
    return "partition shape 'partial' needs a region with nodes while other regions also have nodes";
  }
  return undefined;
}

/** Regions with nodes inside while other regions have nodes too: where a partial partition cuts something. */
export function partialRegions(topology: TopologySpec): string[] {
  return topology.regions
    .map((r) => r.name)
    .filter((r) => {
      const inside = topology.nodes.filter((n) => n.region === r).length;
      return inside > 0 && inside < topology.nodes.length;
    });
}

/**
 * Parses and checks every name against the topology and the machine; throws one
 * NemesisConfigError listing every problem ("unknown nemesis 'partiton' (known: ...)").
 */
export function validateNemeses(
  names: readonly string[],
  topology: TopologySpec,
  env: NemesisEnvironment = { libfaketime: findLibfaketime() },
): NemesisChoice[] {
  const problems: string[] = [];
  const out: NemesisChoice[] = [];
  const regions = topology.regions.length;
  for (const raw of names) {
    const choice = parseNemesis(raw.trim());
    if (!choice) {
      const hint = suggest(raw.trim());
      problems.push(`unknown nemesis '${raw}'${hint ? ` (did you mean '${hint}'?)` : ""} (${knownList()})`);
      continue;
    }
    const why = whyNot(choice, topology, env, regions);
    if (why) problems.push(why);
    else out.push(choice);
  }
  if (problems.length > 0) throw new NemesisConfigError(problems.join("\n"));
  return out;
}

function whyNot(
  c: NemesisChoice,
  topology: TopologySpec,
  env: NemesisEnvironment,
  regions: number,
): string | undefined {
  const nodes = topology.nodes.length;
  switch (c.kind) {
    case "partition":
      if (c.shape) return whyNotShape(topology, c.shape);
      return applicableShapes(topology).length === 0
        ? `nemesis 'partition' has no shape that fits a scenario with ${regions} region(s) and ${nodes} node(s)`
        : undefined;
    case "latency":
    case "bandwidth":
      return regions < 2
        ? `nemesis '${c.name}' acts between two regions, but the scenario has ${regions}`
        : undefined;
    case "clock":
      if (nodes === 0) return `nemesis '${c.name}' needs a node, the scenario has none`;
      return env.libfaketime
        ? undefined
        : "nemesis 'clock' needs libfaketime, which is not installed: `apt-get install libfaketime` (Debian), or set FAULTLINE_LIBFAKETIME to libfaketime.so.1";
    case "kill":
    case "pause":
      return nodes === 0 ? `nemesis '${c.name}' needs a node, the scenario has none` : undefined;
    case "failover": {
      const primary = topology.nodes.some((n) => n.role === "primary");
      const replica = topology.nodes.some((n) => n.role === "replica");
      return primary && replica
        ? undefined
        : "nemesis 'failover' needs a primary and a replica in the scenario's topology";
    }
  }
}

/** The closest known name within edit distance 2, for typos. */
function suggest(raw: string): string | undefined {
  const candidates = [
    ...NEMESIS_KINDS,
    ...PARTITION_SHAPES.map((s) => `partition-${s}`),
    ...Object.keys(ALIASES),
  ];
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(raw, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}
