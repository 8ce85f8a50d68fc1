/**
 * The clients: logical processes that pull operations from a composable generator
 * (harness/generator/generator.ts) and apply them through their own connections, one at a time.
 *
 * - The main phase: `concurrency` processes per region, each drawing its operations from its own
 *   seeded stream (the slot's fork of the run's seed), so the same seed gives every process the
 *   same operations whatever the interleaving; `--rate` is the `rateLimit` generator over them all.
 * - The final phase: the workload's final operations (after healing and quiescing), once per
 *   region on a fresh process, one at a time, recorded with `final: true`.
 *
 * Jepsen's rule keeps the history well formed: a process whose operation ended in `info` may
 * still have it in flight, so it is retired and a fresh process id (old + total processes)
 * takes its place with fresh connections, in the same slot (same op stream).
 */
import { setMaxListeners } from "node:events";
import { type Completion, completionForError } from "../../workloads/outcome.ts";
import type { Workload, WorkloadOp } from "../../workloads/workload.ts";
import { DONE, fromFn, type Gen, perProcess, perRegion, rateLimit, values } from "../generator/generator.ts";
import { Prng } from "../generator/prng.ts";
import type { HistoryWriter } from "./history-writer.ts";
import type { ProcessClient } from "../scenarios/assemble.ts";
import { sleep } from "../sleep.ts";
import type { RegionName } from "../topology.ts";

/** What the loop needs of the running scenario: a fresh client per process. */
export interface ClientSource<O extends WorkloadOp> {
  openClient(region: RegionName, process: number): ProcessClient<unknown, O>;
}

export interface ClientLoopOptions<O extends WorkloadOp> {
  regions: RegionName[];
  concurrency: number;
  rate: number;
  opTimeoutMs: number;
  /** The run's seed: each slot's op stream is `Prng(seed).fork("process-<slot>")`. */
  seed: number;
  workload: Workload<unknown, O>;
  scenario: ClientSource<O>;
  writer: HistoryWriter;
  /** Resolves when clients should stop issuing new operations. */
  stop: Promise<void>;
}

/** What the clients did that later phases need. */
export interface ClientsDone {
  /** The lowest process id no client has used: final operations run under fresh ids from here. */
  nextProcess: number;
}

/** Like a timeout that also fires if the client's own timeout never does. */
function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Runs one op on a process's client and records its invoke and completion (`extra` fields go on
 * both, e.g. `final: true`). Returns the completion; `info` means the process must retire.
 */
async function runOp<O extends WorkloadOp>(
  o: { workload: Workload<unknown, O>; writer: HistoryWriter; opTimeoutMs: number },
  pc: ProcessClient<unknown, O>,
  process: number,
  region: RegionName,
  op: O,
  extra: Record<string, unknown> = {},
): Promise<Completion> {
  const node = pc.nodeFor(op);
  const base = { process, f: op.f, key: op.key, region, node, ...extra };
  o.writer.record({ ...base, type: "invoke", value: op.value });
  let completion: Completion;
  // Where it is served may be decided after the invoke (a pinned read asks the local node first);
  // the completion names that node.
  let served = node;
  try {
    const r = await withDeadline(
      (async () => {
        if (pc.resolve) served = await pc.resolve(op, node);
        const applied = await o.workload.apply(pc.client.at(served), op);
        // A store whose client picks the node itself (a Sentinel-discovered master) names it.
        served = pc.client.servedBy?.() ?? served;
        return applied;
      })(),
      o.opTimeoutMs + 1000,
    );
    completion = r.ok ? { type: "ok", value: r.value } : { type: "fail", value: r.value, error: r.error };
  } catch (err) {
    completion = completionForError(err, !o.workload.readOnly(op), op.value);
  }
  o.writer.record({ ...base, node: served, ...completion });
  return completion;
}

/** A process slot as the driver runs it. */
interface Slot {
  index: number;
  region: RegionName;
  /** Its first process id; a retired process's replacement is id + stride. */
  process: number;
  rng: Prng;
}

/**
 * Drives `gen` with one logical process per slot until every slot is done or `stop` resolves.
 * Each process asks the generator when it is free, waits until the op's time, applies it, and
 * retires on `info`. Returns the largest process id used.
 */
async function drive<O extends WorkloadOp>(
  gen: Gen<O>,
  slots: Slot[],
  stride: number,
  o: {
    workload: Workload<unknown, O>;
    scenario: ClientSource<O>;
    writer: HistoryWriter;
    opTimeoutMs: number;
    stop?: Promise<void>;
    extra?: Record<string, unknown>;
  },
): Promise<number> {
  let stopped = false;
  const stopSignal = new AbortController();
  // Every slot sleeps on this one signal.
  setMaxListeners(slots.length + 8, stopSignal.signal);
  o.stop?.then(() => {
    stopped = true;
    stopSignal.abort();
  });
  const nowMs = () => o.writer.now() / 1e6;
  let maxProcess = -1;
  const runSlot = async (slot: Slot) => {
    let process = slot.process;
    maxProcess = Math.max(maxProcess, process);
    let pc = o.scenario.openClient(slot.region, process);
    try {
      while (!stopped) {
        // The generator sees the slot (stable across retirement), so its stream carries on.
        const r = gen.next({ nowMs: nowMs(), process: slot.index, region: slot.region, rng: slot.rng });
        if (r === DONE) break;
        if ("waitUntilMs" in r) {
          await sleep(Math.max(1, r.waitUntilMs - nowMs()), stopSignal.signal);
          continue;
        }
        await sleep(r.atMs - nowMs(), stopSignal.signal);
        if (stopped) break;
        const completion = await runOp(o, pc, process, slot.region, r.op, o.extra);
        if (completion.type === "info") {
          await pc.client.close();
          process += stride;
          maxProcess = Math.max(maxProcess, process);
          pc = o.scenario.openClient(slot.region, process);
        }
      }
    } finally {
      await pc.client.close();
    }
  };
  await Promise.all(slots.map(runSlot));
  return maxProcess;
}

export async function runClients<O extends WorkloadOp>(o: ClientLoopOptions<O>): Promise<ClientsDone> {
  const total = o.regions.length * o.concurrency;
  const root = new Prng(o.seed);
  const slots: Slot[] = [];
  o.regions.forEach((region, r) => {
    for (let i = 0; i < o.concurrency; i++) {
      const index = r * o.concurrency + i;
      slots.push({ index, region, process: index, rng: root.fork(`process-${index}`) });
    }
  });
  const workload = perProcess((index) => {
    // Ops from their own fork, so timing draws elsewhere never shift a process's operations.
    const ops = root.fork(`ops-${index}`);
    const next = o.workload.forProcess(
      { index, count: total },
      { float: () => ops.float(), int: (n) => ops.int(0, n - 1) },
    );
    return fromFn(() => next());
  });
  const maxProcess = await drive(rateLimit(o.rate, workload), slots, total, o);
  // Retired ids are slot + k * total; anything above the largest handed out is fresh.
  return { nextProcess: Math.ceil((maxProcess + 1) / total) * total };
}

export interface FinalOpsOptions<O extends WorkloadOp> {
  regions: RegionName[];
  opTimeoutMs: number;
  workload: Workload<unknown, O>;
  scenario: ClientSource<O>;
  writer: HistoryWriter;
  /** First process id to use (from `runClients`); each region gets one fresh process. */
  firstProcess: number;
}

/**
 * The workload's final operations, once per region on a fresh process (ids from `firstProcess`),
 * in order; recorded with `final: true`. Returns how many ops ran.
 */
export async function runFinalOps<O extends WorkloadOp>(o: FinalOpsOptions<O>): Promise<number> {
  const ops = o.workload.finalOps?.() ?? [];
  if (ops.length === 0) return 0;
  const byRegion = Object.fromEntries(o.regions.map((r) => [r, values(ops)]));
  const stride = o.regions.length;
  const slots: Slot[] = o.regions.map((region, i) => ({
    index: i,
    region,
    process: o.firstProcess + i,
    rng: new Prng(0),
  }));
  let count = 0;
  const counting: Gen<O> = {
    next(ctx) {
      const r = perRegionGen.next(ctx);
      if (r !== DONE && "op" in r) count++;
      return r;
    },
  };
  const perRegionGen = perRegion(byRegion);
  await drive(counting, slots, stride, { ...o, extra: { final: true } });
  return count;
}
