/**
 * Reading a schedule back from `test.json` (replay, or a schedule a user wrote by hand): checks
 * its shape with zod (each fault definition's schema) and every node and region against the
 * topology (its `checkSpec`), so a bad schedule fails with the entry and field named, before
 * anything starts.
 */
import { z } from "zod";
import type { TopologySpec } from "../topology.ts";
import type { FaultSpecBase } from "./fault-definition.ts";
import { faultDefinitionOf, faultDefinitions } from "./registry.ts";
import type { ScheduledFault } from "./spec.ts";

const nonNeg = z.number().finite().min(0);

export class ScheduleFileError extends Error {
  override name = "ScheduleFileError";
}

/** A schedule entry whose spec is any registered kind; built per call, as faults may be registered late. */
function scheduleSchema() {
  const schemas = faultDefinitions().map((d) => d.schema);
  const spec = z.discriminatedUnion("kind", schemas as unknown as [z.ZodObject, ...z.ZodObject[]]);
  return z.array(z.object({ atMs: nonNeg, durationMs: nonNeg, spec }).strict());
}

/** Parses and checks a schedule; throws one ScheduleFileError naming every bad entry ("schedule[3].spec.node: ...").
 *  `S` is the spec type to expect; the default is the built-in kinds. */
export function parseSchedule<S extends FaultSpecBase = ScheduledFault["spec"]>(
  input: unknown,
  topology: TopologySpec,
): ScheduledFault<S>[] {
  const parsed = scheduleSchema().safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) =>
        `schedule${i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}: ${i.message}`,
    );
    throw new ScheduleFileError(`bad fault schedule: ${problems.join("; ")}`);
  }
  const out = parsed.data as ScheduledFault<S>[];
  const problems: string[] = [];
  out.forEach((f, i) => {
    for (const p of faultDefinitionOf(f.spec).checkSpec(f.spec, topology)) {
      problems.push(`schedule[${i}].spec${p.field ? `.${p.field}` : ""}: ${p.message}`);
    }
  });
  if (problems.length) throw new ScheduleFileError(`bad fault schedule: ${problems.join("; ")}`);
  return out;
}
