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
import { Prng } from "../generator/prng.ts";
import type { TopologySpec } from "../topology.ts";
import { validateNemeses } from "./catalog.ts";
import type { FaultSpecBase, NemesisEnvironment, PlanKnobs } from "./fault-definition.ts";
import { faultDefinitionOf } from "./registry.ts";
import type { FaultSpecLike, ScheduledFault } from "./spec.ts";

/** The knobs (PlanKnobs: mechanism, maxClockSkewMs, latencySpikeMs, failoverWindowMs) are read by
 *  the fault definitions they concern. */
export interface PlanOptions extends PlanKnobs {
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
  /** Passed to `validateNemeses` (libfaketime detection). */
  env?: NemesisEnvironment;
}

export class ScheduleError extends Error {
  override name = "ScheduleError";
}

/** Plans the faults of a run. Throws NemesisConfigError / ScheduleError on bad input, before anything starts.
 *  `S` is the spec type to expect; the default is the built-in kinds. */
export function planSchedule<S extends FaultSpecBase = ScheduledFault["spec"]>(
  opts: PlanOptions,
): ScheduledFault<S>[] {
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
  const ctx = { ...opts, durationMs };
  const out: ScheduledFault<S>[] = [];
  const done = new Set<string>();
  for (let slot = warmupMs; slot + durationMs <= timeLimitMs; slot += intervalMs) {
    const usable = choices.filter((c) => !(faultDefinitionOf(c).oncePerRun && done.has(c.kind)));
    if (usable.length === 0) break;
    const choice = rng.pick(usable);
    const jitter = rng.int(0, Math.floor(slack / 4));
    const atMs = Math.round(slot + jitter);
    if (atMs + durationMs > timeLimitMs) break;
    const spec = faultDefinitionOf(choice).plan(choice, rng, ctx) as S;
    done.add(spec.kind);
    out.push({ atMs, durationMs, spec });
  }
  return out;
}

/** Nodes that clock faults in this schedule act on: start these with a fake clock (NodeClocks). */
export function nodesWithClockFaults(schedule: readonly ScheduledFault<FaultSpecLike>[]): string[] {
  const nodes = new Set<string>();
  for (const f of schedule)
    for (const n of faultDefinitionOf(f.spec).clockNodes?.(f.spec) ?? []) nodes.add(n);
  return [...nodes].sort();
}
