/**
 * The nemesis process: starts and stops the faults of a schedule at their offsets and records each
 * start and stop as a nemesis op, and `healAll`, the teardown that undoes whatever is still in
 * effect, whatever happened.
 *
 * Ops are recorded when a start or stop has taken effect (type `info`, as Jepsen's nemesis
 * completions), with `phase` "start"/"stop" and `fault` (the index in the schedule) so a report
 * can pair them and shade the window between.
 */
import { NEMESIS } from "../../checkers/history/op.ts";
import { sleep } from "../sleep.ts";
import type { Fault, FaultContext } from "./fault.ts";
import { faultFromSpec } from "./from-spec.ts";
import { FAULT_TOXIC_PREFIX, ProxyLinks } from "./proxy-links.ts";
import type { FaultSpecLike, ScheduledFault } from "./spec.ts";

/** What `runSchedule` hands to `record`; the runner adds `index` and `time`. */
// A type alias (not an interface) so it fits `Op`'s index signature when the runner records it.
export type NemesisOp = {
  type: "info";
  process: typeof NEMESIS;
  /** The fault kind: partition, latency, clock, ... */
  f: string;
  /** What was done, in words ("isolate eu-west (blackhole): cut ..."). */
  value: string;
  phase: "start" | "stop";
  /** Index of the fault in the schedule; pairs a start with its stop. */
  fault: number;
  /** The fault as planned (plain JSON; a FaultSpec for the built-in kinds). */
  spec: FaultSpecLike;
  /** Offset the schedule asked for, ms since the workload started. */
  plannedMs: number;
  /** Set when the start or stop failed; `value` then says what was attempted. */
  error?: string;
};

export interface RunScheduleOptions {
  /** ms since the workload started; default: measured from the call. */
  now?: () => number;
  /** Builds a Fault from a spec; default `faultFromSpec` (tests substitute). */
  faultFor?: (spec: FaultSpecLike) => Fault;
}

/** Faults started and not yet stopped, per context, so healAll can stop them. */
const active = new WeakMap<
  FaultContext,
  Map<number, { fault: Fault; spec: FaultSpecLike; plannedMs: number }>
>();

function activeOf(ctx: FaultContext) {
  let m = active.get(ctx);
  if (!m) {
    m = new Map();
    active.set(ctx, m);
  }
  return m;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Runs a schedule: each fault starts at `atMs` and stops `durationMs` later. Resolves when every
 * fault has been stopped. On abort, stops what is running at once and resolves. A start that
 * throws is recorded (with `error`) and its stop still runs at its time (Fault.stop must be safe
 * after a failed start). Never throws for a fault's failure.
 */
export async function runSchedule(
  schedule: readonly ScheduledFault<FaultSpecLike>[],
  ctx: FaultContext,
  record: (op: NemesisOp) => void,
  signal?: AbortSignal,
  opts: RunScheduleOptions = {},
): Promise<void> {
  const t0 = performance.now();
  const now = opts.now ?? (() => performance.now() - t0);
  const faultFor = opts.faultFor ?? faultFromSpec;
  const running = activeOf(ctx);
  type Event = { atMs: number; phase: "start" | "stop"; i: number };
  const events: Event[] = [];
  schedule.forEach((s, i) => {
    events.push({ atMs: s.atMs, phase: "start", i }, { atMs: s.atMs + s.durationMs, phase: "stop", i });
  });
  // By time; at the same instant stops go first so that back-to-back faults do not overlap.
  events.sort((a, b) => a.atMs - b.atMs || (a.phase === b.phase ? a.i - b.i : a.phase === "stop" ? -1 : 1));

  const stop = async (i: number) => {
    const entry = running.get(i);
    if (!entry) return;
    running.delete(i);
    const base = {
      type: "info",
      process: NEMESIS,
      f: entry.fault.f,
      phase: "stop",
      fault: i,
      spec: entry.spec,
    } as const;
    try {
      const value = await entry.fault.stop(ctx);
      record({ ...base, plannedMs: entry.plannedMs + (schedule[i]?.durationMs ?? 0), value: String(value) });
    } catch (e) {
      record({
        ...base,
        plannedMs: entry.plannedMs,
        value: `stop ${entry.fault.f} failed`,
        error: message(e),
      });
    }
  };

  try {
    for (const ev of events) {
      await sleep(ev.atMs - now(), signal);
      if (signal?.aborted) break;
      if (ev.phase === "stop") {
        await stop(ev.i);
        continue;
      }
      const planned = schedule[ev.i]!;
      let fault: Fault;
      try {
        fault = faultFor(planned.spec);
      } catch (e) {
        record({
          type: "info",
          process: NEMESIS,
          f: planned.spec.kind,
          phase: "start",
          fault: ev.i,
          spec: planned.spec,
          plannedMs: planned.atMs,
          value: `start ${planned.spec.kind} failed`,
          error: message(e),
        });
        continue;
      }
      running.set(ev.i, { fault, spec: planned.spec, plannedMs: planned.atMs });
      const base = {
        type: "info",
        process: NEMESIS,
        f: fault.f,
        phase: "start",
        fault: ev.i,
        spec: planned.spec,
      } as const;
      try {
        const value = await fault.start(ctx);
        record({ ...base, plannedMs: planned.atMs, value: String(value) });
      } catch (e) {
        record({ ...base, plannedMs: planned.atMs, value: `start ${fault.f} failed`, error: message(e) });
      }
    }
  } finally {
    for (const i of [...running.keys()].sort((a, b) => a - b)) await stop(i);
  }
}

export interface HealReport {
  /** What was undone, in words. */
  healed: string[];
  /** What could not be undone (teardown goes on regardless). */
  errors: string[];
}

/**
 * Undoes everything faults may have left: stops faults still active in this context, then removes
 * every fault toxic from every link, re-enables every proxy, puts every fake clock back to real
 * time and heals the packet network. Base latency stays. Never throws; safe to call any number
 * of times. Call it in the runner's `finally`, before stopping nodes.
 */
export async function healAll(ctx: FaultContext): Promise<HealReport> {
  const report: HealReport = { healed: [], errors: [] };
  const attempt = async (what: string, f: () => Promise<unknown>) => {
    try {
      const v = await f();
      report.healed.push(typeof v === "string" ? v : what);
    } catch (e) {
      report.errors.push(`${what}: ${message(e)}`);
    }
  };
  const running = activeOf(ctx);
  for (const [i, entry] of [...running.entries()].sort((a, b) => a[0] - b[0])) {
    running.delete(i);
    await attempt(`stop ${entry.fault.f}`, () => entry.fault.stop(ctx));
  }
  if (ctx.proxyUrl && ctx.links.length > 0) {
    const proxy = ProxyLinks.of(ctx);
    for (const link of ctx.links) {
      await attempt(`heal link ${link.spec.name}`, async () => {
        if (!proxy.isOwn(link.spec.name)) {
          // A server faultline does not own: remove exactly what this run added, nothing else.
          for (const t of proxy.addedToxics(link.spec.name)) await proxy.removeToxic(link.spec.name, t);
          return;
        }
        await proxy.removeToxicsWithPrefix([link.spec.name], FAULT_TOXIC_PREFIX);
        await proxy.setEnabled(link.spec.name, true);
      });
    }
  }
  for (const [node, clock] of ctx.clocks ?? []) {
    if (clock.offsetMs !== 0) await attempt(`reset clock ${node}`, () => clock.set(0));
  }
  if (ctx.packets) await attempt("heal packet network", () => ctx.packets!.healAll());
  return report;
}
