/**
 * Reading a schedule back from `test.json` (replay, or a schedule a user wrote by hand): checks
 * its shape with zod and every node and region against the topology, so a bad schedule fails with
 * the entry and field named, before anything starts.
 */
import { z } from "zod";
import type { TopologySpec } from "../topology.ts";
import { checkShape } from "./shapes.ts";
import type { ScheduledFault } from "./spec.ts";

const regionPair = z.tuple([z.string(), z.string()]);
const nonNeg = z.number().finite().min(0);

const partition = z
  .object({
    kind: z.literal("partition"),
    mechanism: z.enum(["blackhole", "refuse"]),
    scope: z.enum(["all", "peers"]).optional(),
    shape: z.enum([
      "isolate-region",
      "isolate-node",
      "halves",
      "majority-minority",
      "majorities-ring",
      "bridge",
      "one-way",
      "partial",
    ]),
    region: z.string().optional(),
    node: z.string().optional(),
    order: z.array(z.string()).optional(),
    minority: z.array(z.string()).optional(),
    from: z.string().optional(),
    to: z.string().optional(),
  })
  .strict();

const fault = z.discriminatedUnion("kind", [
  partition,
  z.object({ kind: z.literal("latency"), regions: regionPair, latencyMs: nonNeg, jitterMs: nonNeg }).strict(),
  z.object({ kind: z.literal("bandwidth"), regions: regionPair, rateKBps: z.number().positive() }).strict(),
  z
    .object({
      kind: z.literal("clock"),
      action: z.enum(["bump", "strobe", "reset"]),
      node: z.string(),
      deltaMs: z.number().finite().optional(),
      periodMs: z.number().positive().optional(),
    })
    .strict(),
  z.object({ kind: z.literal("kill"), node: z.string() }).strict(),
  z.object({ kind: z.literal("pause"), node: z.string() }).strict(),
  z
    .object({
      kind: z.literal("failover"),
      from: z.string(),
      to: z.string(),
      windowMs: nonNeg,
      splitFraction: z.number().min(0).max(1),
    })
    .strict(),
]);

/** The fields each partition shape needs (the rest of a partition spec is optional). */
const SHAPE_FIELDS: Record<string, string[]> = {
  "isolate-region": ["region"],
  partial: ["region"],
  "isolate-node": ["node"],
  halves: ["order"],
  "majorities-ring": ["order"],
  bridge: ["order"],
  "majority-minority": ["minority"],
  "one-way": ["from", "to"],
};

const scheduled = z.object({ atMs: nonNeg, durationMs: nonNeg, spec: fault }).strict();

export class ScheduleFileError extends Error {
  override name = "ScheduleFileError";
}

/** Parses and checks a schedule; throws one ScheduleFileError naming every bad entry ("schedule[3].spec.node: ..."). */
export function parseSchedule(input: unknown, topology: TopologySpec): ScheduledFault[] {
  const parsed = z.array(scheduled).safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) =>
        `schedule${i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}: ${i.message}`,
    );
    throw new ScheduleFileError(`bad fault schedule: ${problems.join("; ")}`);
  }
  const out = parsed.data as ScheduledFault[];
  const problems: string[] = [];
  const nodes = new Set(topology.nodes.map((n) => n.name));
  const regions = new Set(topology.regions.map((r) => r.name));
  out.forEach((f, i) => {
    const where = `schedule[${i}]`;
    const s = f.spec;
    const node = (n: string, field: string) => {
      if (!nodes.has(n))
        problems.push(`${where}.spec.${field}: no node '${n}' (nodes: ${[...nodes].join(", ")})`);
    };
    switch (s.kind) {
      case "partition": {
        const missing = SHAPE_FIELDS[s.shape].filter((k) => (s as Record<string, unknown>)[k] === undefined);
        if (missing.length) {
          problems.push(`${where}.spec: partition shape '${s.shape}' needs ${missing.join(", ")}`);
          break;
        }
        const why = checkShape(topology, s);
        if (why) problems.push(`${where}.spec: ${why}`);
        break;
      }
      case "latency":
      case "bandwidth":
        for (const r of s.regions)
          if (!regions.has(r))
            problems.push(`${where}.spec.regions: no region '${r}' (regions: ${[...regions].join(", ")})`);
        break;
      case "clock":
        node(s.node, "node");
        if (s.action !== "reset" && typeof (s as { deltaMs?: number }).deltaMs !== "number")
          problems.push(`${where}.spec.deltaMs: required for ${s.action}`);
        if (s.action === "strobe" && typeof (s as { periodMs?: number }).periodMs !== "number")
          problems.push(`${where}.spec.periodMs: required for strobe`);
        break;
      case "kill":
      case "pause":
        node(s.node, "node");
        break;
      case "failover":
        node(s.from, "from");
        node(s.to, "to");
        break;
    }
  });
  if (problems.length) throw new ScheduleFileError(`bad fault schedule: ${problems.join("; ")}`);
  return out;
}
