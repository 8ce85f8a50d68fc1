/**
 * Faults a store cannot take, asked in its driver's preflight: nemesis names (and a replayed
 * schedule's fault kinds) that the store refuses, with the reason. Clock faults work through
 * libfaketime, which some servers cannot run under (Redis hangs) or ignore (Go binaries such as
 * etcd read the clock without libc); partitions of gossiping peers need packet-level faults.
 */
import { findFaultDefinition } from "../nemesis/registry.ts";
import type { StorePlan } from "./store-driver.ts";

/** Other names the fault registry accepts for `kind` (`skew` for `clock`). */
function aliasesOf(kind: string): string[] {
  const def = findFaultDefinition(kind);
  return Object.entries(def?.aliases ?? {})
    .filter(([, target]) => target === kind || target.startsWith(`${kind}-`))
    .map(([alias]) => alias);
}

/** Whether the run asks for fault kind `kind`: by nemesis name (alias or variant), or in the planned or replayed schedule. */
export function asksFor(plan: StorePlan, kind: string, aliases: string[] = []): boolean {
  const names = [kind, ...aliases];
  const byName = plan.config.nemesis.some((n) => names.some((k) => n === k || n.startsWith(`${k}-`)));
  const bySchedule = [...(plan.schedule ?? []), ...(plan.config.schedule ?? [])].some(
    (s) => (s as { spec?: { kind?: unknown } } | null)?.spec?.kind === kind,
  );
  return byName || bySchedule;
}

/** The preflight problems of the fault kinds a store refuses (`StoreDriver.refusedFaults`) that the run asks for. */
export function refusedFaultProblems(
  plan: StorePlan,
  store: string,
  refused: Readonly<Record<string, string>>,
): string[] {
  return Object.entries(refused)
    .filter(([kind]) => asksFor(plan, kind, aliasesOf(kind)))
    .map(
      ([kind, why]) =>
        `${kind} faults are refused for ${store}: ${why}; drop the ${kind} nemesis for this scenario`,
    );
}

/** The preflight problems of a store whose peers gossip addresses when partitions run without a
 *  packet network: `--net netns` on the local backend (docker cuts packets inside its containers). */
export function packetPartitionVeto(plan: StorePlan, store: string): string[] {
  const packets = plan.config.net === "netns" || plan.backend === "docker";
  return !packets && asksFor(plan, "partition")
    ? [
        `${store}'s nodes learn each other's addresses by gossip, so partitions must cut packets: run with --net netns (root; the scenario's default)`,
      ]
    : [];
}
