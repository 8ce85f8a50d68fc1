/**
 * The workloads faultline knows, by name. Adding one is a file in `workloads/` exporting a
 * `WorkloadDefinition`, one line here, and a client for it in each store that supports it.
 */
import { bank } from "./bank.ts";
import { listAppend } from "./list-append.ts";
import { longFork } from "./long-fork.ts";
import { counter } from "./counter.ts";
import { register } from "./register.ts";
import { rwRegister } from "./rw-register.ts";
import { set } from "./set.ts";
import type { WorkloadDefinition } from "./workload.ts";

const definitions = new Map<string, WorkloadDefinition<any>>();

export function registerWorkloadDefinition(def: WorkloadDefinition<any>): void {
  definitions.set(def.name, def);
}

registerWorkloadDefinition(register);
registerWorkloadDefinition(set);
registerWorkloadDefinition(counter);
registerWorkloadDefinition(listAppend);
registerWorkloadDefinition(bank);
registerWorkloadDefinition(rwRegister);
registerWorkloadDefinition(longFork);

export function findWorkload(name: string): WorkloadDefinition<unknown> {
  const d = definitions.get(name);
  if (!d) throw new Error(`unknown workload '${name}' (known: ${[...definitions.keys()].join(", ")})`);
  return d;
}

export function knownWorkloads(): string[] {
  return [...definitions.keys()];
}

/** Validates a workload's options against its own schema; the error names each bad field. */
export function workloadOptions(name: string, input: Record<string, unknown>): unknown {
  const def = findWorkload(name);
  const r = def.options.safeParse(input);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${[name, ...i.path].join(".")}: ${i.message}`);
  throw new Error(`bad workload options: ${problems.join("; ")}`);
}
