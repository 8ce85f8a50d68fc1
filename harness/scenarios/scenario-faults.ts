/**
 * Which faults a scenario can take: every `--nemesis` kind and variant (e.g. each partition shape)
 * whose definition accepts the scenario's topology. `faultline scenarios` lists them, so nobody is
 * offered a shape their scenario cannot carry. Machine requirements (libfaketime for clock faults,
 * root for packet-level faults) are not held against a scenario here; `run` still checks them
 * before it starts.
 */
import type { TopologySpec } from "../topology.ts";

export async function supportedNemeses(topology: TopologySpec): Promise<string[]> {
  const { faultDefinitions } = await import("../nemesis/registry.ts");
  const { parseNemesis } = await import("../nemesis/catalog.ts");
  // Present-but-pretend environment: whether the layout allows the fault, not this machine.
  const env = { libfaketime: "libfaketime" };
  const out: string[] = [];
  for (const def of faultDefinitions()) {
    for (const name of [def.kind, ...(def.variants?.names ?? []).map((v) => `${def.kind}-${v}`)]) {
      const choice = parseNemesis(name);
      try {
        if (choice && def.whyNot(choice, topology, env) === undefined) out.push(name);
      } catch {
        // A definition that cannot judge this layout does not offer itself.
      }
    }
  }
  return out;
}

/** The faults a built scenario can take, from its planned topology. */
export async function supportedNemesesOf(scenario: string): Promise<string[]> {
  const { configFromFlags } = await import("../cli/run-command.ts");
  const { planRun } = await import("../run/runner.ts");
  const { topology } = planRun(configFromFlags(scenario, { nemesis: ["none"], seed: 1 }));
  // Kinds the scenario's store refuses (clock faults on Redis and etcd) are not offered.
  const { findScenario } = await import("./index.ts");
  const { findStore } = await import("../stores/index.ts");
  const refused = Object.keys(findStore(findScenario(scenario).store).refusedFaults ?? {});
  return (await supportedNemeses(topology)).filter(
    (n) => !refused.some((k) => n === k || n.startsWith(`${k}-`)),
  );
}
