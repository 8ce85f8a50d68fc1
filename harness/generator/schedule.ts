/**
 * The fault plan of a run, fixed before it starts: `planSchedule` turns a seed, the nemesis names
 * and the topology into a list of `{ atMs, durationMs, spec }`, written to `test.json` under
 * `schedule` and replayed as is. Same inputs, same seed: the same schedule, byte for byte.
 *
 * Timeline (ms from the start of the workload): a warm-up with no faults, then one fault slot
 * every `intervalMs`; each fault starts at its slot (plus a seeded jitter within the first quarter
 * of the slot's slack) and stops `faultDurationMs` later, before the next slot begins, so faults
 * never overlap and each one's effect can be told apart. Every fault has stopped by
 * `timeLimitMs`; heal, quiesce and final reads come after that, in the runner.
 */
import {
  applicableShapes,
  type NemesisChoice,
  type NemesisEnvironment,
  partialRegions,
  validateNemeses,
} from "../nemesis/catalog.ts";
import { majority } from "../nemesis/shapes.ts";
import type { FaultSpec, PartitionMechanism, PartitionShapeSpec, ScheduledFault } from "../nemesis/spec.ts";
import type { TopologySpec } from "../topology.ts";
import { Prng } from "./prng.ts";

export interface PlanOptions {
  seed: number;
  /** Nemesis names as the user gave them: partition, latency, clock, kill, pause, failover, ... */
  nemeses: readonly string[];
  /** Time between the starts of successive faults. */
  intervalMs: number;
  /** Length of the workload; every fault has stopped by then. */
  timeLimitMs: number;
  topology: TopologySpec;
  /** How long each fault lasts; at most intervalMs. Default: half the interval. */
  faultDurationMs?: number;
  /** No faults before this. Default: the smaller of one interval and a tenth of the time limit. */
  warmupMs?: number;
  /** How link partitions are made. Default blackhole. */
  mechanism?: PartitionMechanism;
  /** Largest clock jump, ms. Default 30 s. */
  maxClockSkewMs?: number;
  /** Typical extra latency of a spike, ms. Default 250. */
  latencySpikeMs?: number;
  /** Failover routing window, ms. Default: a third of the fault's duration. */
  failoverWindowMs?: number;
  /** Passed to `validateNemeses` (libfaketime detection). */
  env?: NemesisEnvironment;
}

export class ScheduleError extends Error {
  override name = "ScheduleError";
}

/** Plans the faults of a run. Throws NemesisConfigError / ScheduleError on bad input, before anything starts. */
export function planSchedule(opts: PlanOptions): ScheduledFault[] {
  const choices = validateNemeses(opts.nemeses, opts.topology, opts.env);
  if (choices.length === 0) return [];
  const { intervalMs, timeLimitMs } = opts;
  if (!(intervalMs > 0)) throw new ScheduleError(`nemesis interval must be > 0 ms, got ${intervalMs}`);
  if (!(timeLimitMs > 0)) throw new ScheduleError(`time limit must be > 0 ms, got ${timeLimitMs}`);
  const durationMs = Math.round(opts.faultDurationMs ?? intervalMs / 2);
  if (!(durationMs > 0) || durationMs > intervalMs) {
    throw new ScheduleError(
      `fault duration (${durationMs} ms) must be > 0 and at most the nemesis interval (${intervalMs} ms), so that faults do not overlap: shorten the duration or lengthen the interval`,
    );
  }
  const warmupMs = Math.round(opts.warmupMs ?? Math.min(intervalMs, timeLimitMs / 10));
  const rng = new Prng(opts.seed).fork("nemesis-schedule");
  const slack = intervalMs - durationMs;
  const out: ScheduledFault[] = [];
  let failoverDone = false;
  for (let slot = warmupMs; slot + durationMs <= timeLimitMs; slot += intervalMs) {
    const usable = choices.filter((c) => !(c.kind === "failover" && failoverDone));
    if (usable.length === 0) break;
    const choice = rng.pick(usable);
    const jitter = rng.int(0, Math.floor(slack / 4));
    const atMs = Math.round(slot + jitter);
    if (atMs + durationMs > timeLimitMs) break;
    const spec = specFor(choice, rng, opts, durationMs);
    if (spec.kind === "failover") failoverDone = true;
    out.push({ atMs, durationMs, spec });
  }
  return out;
}

function specFor(c: NemesisChoice, rng: Prng, opts: PlanOptions, durationMs: number): FaultSpec {
  const topo = opts.topology;
  const regions = topo.regions.map((r) => r.name);
  const nodes = topo.nodes.map((n) => n.name);
  switch (c.kind) {
    case "partition": {
      const shape = c.shape ?? rng.pick(applicableShapes(topo));
      return {
        kind: "partition",
        mechanism: opts.mechanism ?? "blackhole",
        ...shapeChoices(shape, rng, topo),
      };
    }
    case "latency": {
      const spike = opts.latencySpikeMs ?? 250;
      const latencyMs = rng.int(Math.ceil(spike / 2), Math.ceil(spike * 1.5));
      const pair = rng.sample(regions, 2) as [string, string];
      return { kind: "latency", regions: pair, latencyMs, jitterMs: Math.round(latencyMs / 10) };
    }
    case "bandwidth":
      return {
        kind: "bandwidth",
        regions: rng.sample(regions, 2) as [string, string],
        rateKBps: rng.pick([8, 32, 128]),
      };
    case "clock": {
      const max = opts.maxClockSkewMs ?? 30_000;
      const deltaMs = (rng.chance(0.5) ? 1 : -1) * rng.int(Math.min(1000, max), max);
      const node = rng.pick(nodes);
      return rng.chance(0.7)
        ? { kind: "clock", action: "bump", node, deltaMs }
        : { kind: "clock", action: "strobe", node, deltaMs, periodMs: rng.int(200, 1000) };
    }
    case "kill":
      return { kind: "kill", node: rng.pick(nodes) };
    case "pause":
      return { kind: "pause", node: rng.pick(nodes) };
    case "failover": {
      const from = topo.nodes.find((n) => n.role === "primary")!.name;
      const to = rng.pick(topo.nodes.filter((n) => n.role === "replica").map((n) => n.name));
      const windowMs = Math.round(opts.failoverWindowMs ?? durationMs / 3);
      return { kind: "failover", from, to, windowMs, splitFraction: 0.5 };
    }
  }
}

/** The random choices a shape needs, made now so the spec replays exactly. */
function shapeChoices(shape: PartitionShapeSpec["shape"], rng: Prng, topo: TopologySpec): PartitionShapeSpec {
  const regions = topo.regions.map((r) => r.name);
  const nodes = topo.nodes.map((n) => n.name);
  switch (shape) {
    case "isolate-region":
      return { shape, region: rng.pick(regions) };
    case "partial":
      return { shape, region: rng.pick(partialRegions(topo)) };
    case "isolate-node":
      return { shape, node: rng.pick(nodes) };
    case "halves":
    case "majorities-ring":
    case "bridge":
      return { shape, order: rng.shuffle(nodes) };
    case "majority-minority":
      return { shape, minority: rng.sample(nodes, rng.int(1, nodes.length - majority(nodes.length))) };
    case "one-way": {
      const [from, to] = rng.sample(regions, 2) as [string, string];
      return { shape, from, to };
    }
  }
}

/** Nodes that clock faults in this schedule act on: start these with a fake clock (NodeClocks). */
export function nodesWithClockFaults(schedule: readonly ScheduledFault[]): string[] {
  const nodes = new Set<string>();
  for (const f of schedule) if (f.spec.kind === "clock") nodes.add(f.spec.node);
  return [...nodes].sort();
}
