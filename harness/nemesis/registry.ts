/**
 * The fault registry: every kind of fault faultline knows, one definition each (see
 * fault-definition.ts). Adding a fault is one file in `faults/` and one line in `BUILT_IN_FAULTS`;
 * the CLI's names, validation, planning, replay, building and words all come from here. The order
 * of the list is the order of `--nemesis` listings and of zod's "expected ..." messages.
 *
 * `registerFault` adds a definition at run time (tests define toy faults this way); the built-in
 * spec types make up `FaultSpec` (spec.ts).
 */
import type { FaultDefinition, FaultSpecBase } from "./fault-definition.ts";
import { bandwidthFault } from "./faults/bandwidth.ts";
import { clockFault } from "./faults/clock.ts";
import { dnsSplitFault } from "./faults/dns-split.ts";
import { failoverFault } from "./faults/failover.ts";
import { killFault } from "./faults/kill.ts";
import { latencyFault } from "./faults/latency.ts";
import { partitionFault } from "./faults/partition.ts";
import { pauseFault } from "./faults/pause.ts";
import { regionSwitchFault } from "./faults/region-switch.ts";
import { replicationBacklogFault } from "./faults/replication-backlog.ts";

export const BUILT_IN_FAULTS = [
  partitionFault,
  latencyFault,
  bandwidthFault,
  clockFault,
  killFault,
  pauseFault,
  failoverFault,
  dnsSplitFault,
  replicationBacklogFault,
  regionSwitchFault,
] as const;

/** The spec type a definition plans and runs. */
export type SpecOf<D> = D extends FaultDefinition<infer S> ? S : never;

const definitions = new Map<string, FaultDefinition>();

/** Adds a definition; returns a function that removes it again. Throws when its kind, or one of
 *  its aliases, is taken. */
export function registerFault<S extends FaultSpecBase>(definition: FaultDefinition<S>): () => void {
  const def = definition as unknown as FaultDefinition;
  const taken = new Set(allNames());
  const clash = [def.kind, ...Object.keys(def.aliases ?? {})].filter((n) => taken.has(n));
  if (clash.length) throw new Error(`fault '${def.kind}': name already taken: ${clash.join(", ")}`);
  definitions.set(def.kind, def);
  return () => {
    if (definitions.get(def.kind) === def) definitions.delete(def.kind);
  };
}

for (const def of BUILT_IN_FAULTS) registerFault(def as unknown as FaultDefinition);

/** Every definition, built-ins first, in registration order. */
export function faultDefinitions(): FaultDefinition[] {
  return [...definitions.values()];
}

/** The definition of a kind, or undefined. */
export function findFaultDefinition(kind: string): FaultDefinition | undefined {
  return definitions.get(kind);
}

/** The definition of a spec's kind; a clear error for a kind nobody defined (a hand-written or
 *  newer schedule). */
export function faultDefinitionOf(spec: FaultSpecBase): FaultDefinition {
  const def = definitions.get(spec.kind);
  if (!def) {
    throw new Error(
      `unknown fault kind '${String(spec.kind)}' in schedule (known: ${[...definitions.keys()].join(", ")})`,
    );
  }
  return def;
}

/** Every name a user may give: kinds, `<kind>-<variant>` names and aliases, in that order. */
export function allNames(): string[] {
  const defs = faultDefinitions();
  return [
    ...defs.map((d) => d.kind),
    ...defs.flatMap((d) => (d.variants?.names ?? []).map((v) => `${d.kind}-${v}`)),
    ...defs.flatMap((d) => Object.keys(d.aliases ?? {})),
  ];
}
