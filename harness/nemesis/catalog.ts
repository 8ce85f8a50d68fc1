/**
 * The nemesis names a user may ask for (`--nemesis partition,clock`) and what each needs from the
 * topology and the machine, as the fault definitions in the registry say. `validateNemeses` runs
 * before anything starts and reports every problem at once, with a did-you-mean for typos.
 */
import type { TopologySpec } from "../topology.ts";
import type { NemesisChoice, NemesisEnvironment } from "./fault-definition.ts";
import { allNames, faultDefinitionOf, faultDefinitions } from "./registry.ts";

export type { NemesisChoice, NemesisEnvironment } from "./fault-definition.ts";

export class NemesisConfigError extends Error {
  override name = "NemesisConfigError";
}

/** "known: partition, latency, ...; or partition-<shape> with shape one of isolate-region, ..." */
function knownList(): string {
  const defs = faultDefinitions();
  const variants = defs
    .filter((d) => d.variants)
    .map(
      (d) =>
        `; or ${d.kind}-<${d.variants!.noun}> with ${d.variants!.noun} one of ${d.variants!.names.join(", ")}`,
    );
  return `known: ${defs.map((d) => d.kind).join(", ")}${variants.join("")}`;
}

/** Parses one name; undefined when unknown. */
export function parseNemesis(raw: string): NemesisChoice | undefined {
  const defs = faultDefinitions();
  const aliased = defs.find((d) => d.aliases && Object.hasOwn(d.aliases, raw));
  const name = aliased ? aliased.aliases![raw]! : raw;
  for (const d of defs) {
    if (name === d.kind) return { name: raw, kind: d.kind };
    const prefix = `${d.kind}-`;
    if (d.variants && name.startsWith(prefix) && d.variants.names.includes(name.slice(prefix.length))) {
      return { name: raw, kind: d.kind, variant: name.slice(prefix.length) };
    }
  }
  return undefined;
}

/**
 * Parses and checks every name against the topology and the machine; throws one
 * NemesisConfigError listing every problem ("unknown nemesis 'partiton' (known: ...)").
 * `env` fields left out are detected by the definitions that need them.
 */
export function validateNemeses(
  names: readonly string[],
  topology: TopologySpec,
  env: NemesisEnvironment = {},
): NemesisChoice[] {
  const problems: string[] = [];
  const out: NemesisChoice[] = [];
  for (const raw of names) {
    const choice = parseNemesis(raw.trim());
    if (!choice) {
      const hint = suggest(raw.trim());
      problems.push(`unknown nemesis '${raw}'${hint ? ` (did you mean '${hint}'?)` : ""} (${knownList()})`);
      continue;
    }
    const why = faultDefinitionOf(choice).whyNot(choice, topology, env);
    if (why) problems.push(why);
    else out.push(choice);
  }
  if (problems.length > 0) throw new NemesisConfigError(problems.join("\n"));
  return out;
}

/** The closest known name within edit distance 2, for typos. */
function suggest(raw: string): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of allNames()) {
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
