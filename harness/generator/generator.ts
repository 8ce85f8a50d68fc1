/**
 * Composable operation generators, after Jepsen's `generator.clj`, in a pull model a runner can
 * drive: each client process asks `next(ctx)` when it is free, and gets an operation to invoke at
 * `atMs`, a time to ask again (`waitUntilMs`), or `DONE` (this process has nothing more here).
 *
 * Generators are small stateful objects; combinators wrap them. Randomness comes from `ctx.rng`,
 * the asking process's own PRNG stream (`Prng.fork("process-<p>")`), so what one process is given
 * depends on the seed and on its own history, not on how the others were scheduled.
 *
 * Times are ms since the workload started, on the runner's monotonic clock.
 */
import type { Prng } from "./prng.ts";

export interface GenContext {
  nowMs: number;
  process: number;
  region: string;
  rng: Prng;
}

export const DONE = "done" as const;
export type GenResult<T> = { op: T; atMs: number } | { waitUntilMs: number } | typeof DONE;

export interface Gen<T> {
  next(ctx: GenContext): GenResult<T>;
}

function isOp<T>(r: GenResult<T>): r is { op: T; atMs: number } {
  return typeof r === "object" && "op" in r;
}

/** An endless stream: `f(ctx)` each time, now. */
export function fromFn<T>(f: (ctx: GenContext) => T): Gen<T> {
  return { next: (ctx) => ({ op: f(ctx), atMs: ctx.nowMs }) };
}

/** These ops in order, shared by all processes; done when used up. */
export function values<T>(ops: readonly T[]): Gen<T> {
  let i = 0;
  return { next: (ctx) => (i < ops.length ? { op: ops[i++] as T, atMs: ctx.nowMs } : DONE) };
}

/** Each process gets `f(ctx)` exactly once (e.g. a final read per process). */
export function oncePerProcess<T>(f: (ctx: GenContext) => T): Gen<T> {
  const given = new Set<number>();
  return {
    next(ctx) {
      if (given.has(ctx.process)) return DONE;
      given.add(ctx.process);
      return { op: f(ctx), atMs: ctx.nowMs };
    },
  };
}

export function map<T, U>(g: Gen<T>, f: (op: T, ctx: GenContext) => U): Gen<U> {
  return {
    next(ctx) {
      const r = g.next(ctx);
      return isOp(r) ? { op: f(r.op, ctx), atMs: r.atMs } : r;
    },
  };
}

/** At most n ops in all. */
export function limit<T>(n: number, g: Gen<T>): Gen<T> {
  let given = 0;
  return {
    next(ctx) {
      if (given >= n) return DONE;
      const r = g.next(ctx);
      if (isOp(r)) given++;
      return r;
    },
  };
}

/** Each op from a randomly chosen generator (weights default to 1); done when all are done. */
export function mix<T>(gens: readonly Gen<T>[], weights?: readonly number[]): Gen<T> {
  const done = new Set<number>();
  const w = weights ?? gens.map(() => 1);
  if (w.length !== gens.length) throw new Error(`mix: ${gens.length} generators but ${w.length} weights`);
  return {
    next(ctx) {
      let earliestWait = Number.POSITIVE_INFINITY;
      // Try a few picks before giving up on this call: a generator may be waiting.
      for (let attempt = 0; attempt < gens.length * 2; attempt++) {
        const live = gens.map((_, i) => i).filter((i) => !done.has(i) && w[i]! > 0);
        if (live.length === 0) return DONE;
        const total = live.reduce((s, i) => s + w[i]!, 0);
        let x = ctx.rng.float() * total;
        let pick = live[live.length - 1]!;
        for (const i of live) {
          x -= w[i]!;
          if (x < 0) {
            pick = i;
            break;
          }
        }
        const r = gens[pick]!.next(ctx);
        if (r === DONE) done.add(pick);
        else if (isOp(r)) return r;
        else earliestWait = Math.min(earliestWait, r.waitUntilMs);
      }
      return Number.isFinite(earliestWait) ? { waitUntilMs: earliestWait } : DONE;
    },
  };
}

/** Spaces each process's ops by a random delay in [0, 2 * meanMs): on average meanMs apart. */
export function stagger<T>(meanMs: number, g: Gen<T>): Gen<T> {
  return {
    next(ctx) {
      const r = g.next(ctx);
      if (!isOp(r)) return r;
      return { op: r.op, atMs: Math.max(r.atMs, ctx.nowMs + ctx.rng.range(0, 2 * meanMs)) };
    },
  };
}

/** At most `opsPerSec` ops per second over all processes, evenly spaced. */
export function rateLimit<T>(opsPerSec: number, g: Gen<T>): Gen<T> {
  if (!(opsPerSec > 0)) throw new Error(`rateLimit: rate must be > 0, got ${opsPerSec}`);
  const gap = 1000 / opsPerSec;
  let nextSlot = Number.NEGATIVE_INFINITY;
  return {
    next(ctx) {
      const r = g.next(ctx);
      if (!isOp(r)) return r;
      const atMs = Math.max(r.atMs, nextSlot);
      nextSlot = atMs + gap;
      return { op: r.op, atMs };
    },
  };
}

/** Ops only within `ms` of the first call; then done. */
export function timeLimit<T>(ms: number, g: Gen<T>): Gen<T> {
  let deadline: number | undefined;
  return {
    next(ctx) {
      deadline ??= ctx.nowMs + ms;
      if (ctx.nowMs >= deadline) return DONE;
      const r = g.next(ctx);
      if (isOp(r)) return r.atMs < deadline ? r : DONE;
      if (r !== DONE && r.waitUntilMs >= deadline) return DONE;
      return r;
    },
  };
}

/** Nothing for `ms` from the first call, then done (quiesce, let replication catch up). */
export function sleep<T>(ms: number): Gen<T> {
  let until: number | undefined;
  return {
    next(ctx) {
      until ??= ctx.nowMs + ms;
      return ctx.nowMs < until ? { waitUntilMs: until } : DONE;
    },
  };
}

/** Nothing until `atMs` (ms since the workload started), then done: phases anchored to the run's clock. */
export function waitUntil<T>(atMs: number): Gen<T> {
  return { next: (ctx) => (ctx.nowMs < atMs ? { waitUntilMs: atMs } : DONE) };
}

/** One generator after another, per process: a process moves on when its current one is done.
 *  Give each phase a time limit to keep processes in step (Jepsen's phases also wait for stragglers). */
export function phases<T>(...gens: Gen<T>[]): Gen<T> {
  const at = new Map<number, number>();
  return {
    next(ctx) {
      let i = at.get(ctx.process) ?? 0;
      while (i < gens.length) {
        const r = gens[i]!.next(ctx);
        if (r !== DONE) {
          at.set(ctx.process, i);
          return r;
        }
        i++;
      }
      at.set(ctx.process, i);
      return DONE;
    },
  };
}

/** A generator of its own for each process, made on first ask. */
export function perProcess<T>(make: (process: number) => Gen<T>): Gen<T> {
  const gens = new Map<number, Gen<T>>();
  return {
    next(ctx) {
      let g = gens.get(ctx.process);
      if (!g) {
        g = make(ctx.process);
        gens.set(ctx.process, g);
      }
      return g.next(ctx);
    },
  };
}

/** Processes in a region take that region's generator; other regions are done. */
export function perRegion<T>(byRegion: Readonly<Record<string, Gen<T>>>): Gen<T> {
  return { next: (ctx) => byRegion[ctx.region]?.next(ctx) ?? DONE };
}

/** Only processes matching `pred` draw from g; the rest are done. */
export function onProcesses<T>(pred: (process: number, region: string) => boolean, g: Gen<T>): Gen<T> {
  return { next: (ctx) => (pred(ctx.process, ctx.region) ? g.next(ctx) : DONE) };
}

export interface ClientPhasesOptions<T> {
  /** The workload's generator (before rate limiting). */
  workload: Gen<T>;
  /** Ops per second over all clients. */
  rate: number;
  /** Warm-up, before the first fault (no faults are scheduled in it). */
  warmupMs: number;
  /** The fault phase: the schedule's faults all start and stop within it. */
  faultsMs: number;
  /** After the last fault: healed network, clients still running. */
  healMs: number;
  /** No client ops: replication catches up. */
  quiesceMs: number;
  /** One read per process at the end (convergence), or none. */
  finalRead?: (ctx: GenContext) => T;
}

/** The standard run: warm-up, faults, heal (the workload throughout), quiesce, final reads.
 *  Times count from 0, the start of the workload (the runner's `nowMs` origin). */
export function clientPhases<T>(o: ClientPhasesOptions<T>): Gen<T> {
  const running = rateLimit(o.rate, o.workload);
  const activeMs = o.warmupMs + o.faultsMs + o.healMs;
  // Quiesce is anchored to the run's clock (not to whichever process stopped first).
  const gens: Gen<T>[] = [timeLimit(activeMs, running), waitUntil(activeMs + o.quiesceMs)];
  if (o.finalRead) gens.push(oncePerProcess(o.finalRead));
  return phases(...gens);
}

export interface SimulatedOp<T> {
  atMs: number;
  process: number;
  region: string;
  op: T;
}

/**
 * Runs a generator without a store: every op takes `opLatencyMs`, processes ask as soon as they
 * are free. For tests and for previewing a plan; stops at `untilMs` or when every process is done.
 */
export function simulate<T>(
  g: Gen<T>,
  processes: ReadonlyArray<{ process: number; region: string; rng: Prng }>,
  opts: { opLatencyMs: number; untilMs: number },
): SimulatedOp<T>[] {
  const free = new Map(processes.map((p) => [p.process, 0]));
  const done = new Set<number>();
  const out: SimulatedOp<T>[] = [];
  while (done.size < processes.length) {
    // The process that is free earliest asks next (ties: lowest process id), as a runner would.
    let who: (typeof processes)[number] | undefined;
    for (const p of processes) {
      if (done.has(p.process)) continue;
      if (!who || free.get(p.process)! < free.get(who.process)!) who = p;
    }
    if (!who) break;
    const nowMs = free.get(who.process)!;
    if (nowMs > opts.untilMs) break;
    const r = g.next({ nowMs, process: who.process, region: who.region, rng: who.rng });
    if (r === DONE) done.add(who.process);
    else if (isOp(r)) {
      out.push({ atMs: r.atMs, process: who.process, region: who.region, op: r.op });
      free.set(who.process, r.atMs + opts.opLatencyMs);
    } else free.set(who.process, Math.max(r.waitUntilMs, nowMs + 1));
  }
  return out.sort((a, b) => a.atMs - b.atMs || a.process - b.process);
}
