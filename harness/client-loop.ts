/**
 * The clients: `concurrency` logical processes per region, each applying operations one at a
 * time through its own connections, at a shared target rate.
 *
 * Jepsen's rule keeps the history well formed: a process whose operation ended in `info` may
 * still have it in flight, so it is retired and a fresh process id (old + total processes)
 * takes its place with fresh connections.
 */
import { type Completion, completionForError } from "../workloads/outcome.ts";
import type { Random } from "../workloads/random.ts";
import type { Workload, WorkloadOp } from "../workloads/workload.ts";
import type { HistoryWriter } from "./history-writer.ts";
import type { ProcessClient, RunningScenario } from "./scenarios/scenario.ts";
import type { RegionName } from "./topology.ts";

export interface ClientLoopOptions<C, O extends WorkloadOp> {
  regions: RegionName[];
  concurrency: number;
  rate: number;
  opTimeoutMs: number;
  random: Random;
  workload: Workload<C, O>;
  scenario: RunningScenario<C, O>;
  writer: HistoryWriter;
  /** Resolves when clients should stop issuing new operations. */
  stop: Promise<void>;
}

/** What the clients did that later phases need. */
export interface ClientsDone {
  /** The lowest process id no client has used: final operations run under fresh ids from here. */
  nextProcess: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Hands out start times so all processes together run at `rate` ops/s, with random stagger. */
class RateLimiter {
  private next = performance.now();
  constructor(
    private readonly rate: number,
    private readonly random: Random,
  ) {}

  async wait(): Promise<void> {
    const now = performance.now();
    const slot = Math.max(now, this.next);
    // Uniform stagger around the mean interval, as Jepsen's `stagger`: mean stays 1/rate.
    this.next = slot + (2 * this.random.float() * 1000) / this.rate;
    if (slot > now) await sleep(slot - now);
  }
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
async function runOp<C, O extends WorkloadOp>(
  o: Pick<ClientLoopOptions<C, O>, "workload" | "writer" | "opTimeoutMs">,
  pc: ProcessClient<C, O>,
  process: number,
  region: RegionName,
  op: O,
  extra: Record<string, unknown> = {},
): Promise<Completion> {
  const node = pc.nodeFor(op);
  const base = { process, f: op.f, key: op.key, region, node, ...extra };
  o.writer.record({ ...base, type: "invoke", value: op.value });
  let completion: Completion;
  try {
    const r = await withDeadline(o.workload.apply(pc.client, op), o.opTimeoutMs + 1000);
    completion = r.ok ? { type: "ok", value: r.value } : { type: "fail", value: r.value, error: r.error };
  } catch (err) {
    completion = completionForError(err, o.workload.hasEffect(op), op.value);
  }
  o.writer.record({ ...base, ...completion });
  return completion;
}

export async function runClients<C, O extends WorkloadOp>(o: ClientLoopOptions<C, O>): Promise<ClientsDone> {
  let stopped = false;
  o.stop.then(() => {
    stopped = true;
  });
  const limiter = new RateLimiter(o.rate, o.random);
  const total = o.regions.length * o.concurrency;
  let nextProcess = total;

  const runProcess = async (slot: number, region: RegionName) => {
    let process = slot;
    let pc = o.scenario.openClient(region, process);
    try {
      while (!stopped) {
        await Promise.race([limiter.wait(), o.stop]);
        if (stopped) break;
        const completion = await runOp(o, pc, process, region, o.workload.next());
        if (completion.type === "info") {
          await pc.client.close();
          process += total;
          nextProcess = Math.max(nextProcess, process + 1);
          pc = o.scenario.openClient(region, process);
        }
      }
    } finally {
      await pc.client.close();
    }
  };

  const all: Promise<void>[] = [];
  o.regions.forEach((region, r) => {
    for (let i = 0; i < o.concurrency; i++) all.push(runProcess(r * o.concurrency + i, region));
  });
  await Promise.all(all);
  // Retired ids are slot + k * total; anything above the largest handed out is fresh.
  return { nextProcess: Math.ceil(nextProcess / total) * total };
}

export interface FinalOpsOptions<C, O extends WorkloadOp> {
  regions: RegionName[];
  opTimeoutMs: number;
  workload: Workload<C, O>;
  scenario: RunningScenario<C, O>;
  writer: HistoryWriter;
  /** First process id to use (from `runClients`); each region gets one fresh process. */
  firstProcess: number;
}

/**
 * The workload's final operations (after healing and quiescing), once per region, each region on a
 * fresh process with fresh connections, one op at a time; recorded with `final: true`. A process
 * whose op ends in `info` retires as usual and the next op gets a fresh id. Returns how many ops ran.
 */
export async function runFinalOps<C, O extends WorkloadOp>(o: FinalOpsOptions<C, O>): Promise<number> {
  const ops = o.workload.finalOps?.() ?? [];
  if (ops.length === 0) return 0;
  let count = 0;
  let next = o.firstProcess;
  await Promise.all(
    o.regions.map(async (region) => {
      let process = next++;
      let pc = o.scenario.openClient(region, process);
      try {
        for (const op of ops) {
          const c = await runOp(o, pc, process, region, op, { final: true });
          count++;
          if (c.type === "info") {
            await pc.client.close();
            process = next++;
            pc = o.scenario.openClient(region, process);
          }
        }
      } finally {
        await pc.client.close();
      }
    }),
  );
  return count;
}
