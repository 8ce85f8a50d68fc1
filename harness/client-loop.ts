/**
 * The clients: `concurrency` logical processes per region, each applying operations one at a
 * time through its own connections, at a shared target rate.
 *
 * Jepsen's rule keeps the history well formed: a process whose operation ended in `info` may
 * still have it in flight, so it is retired and a fresh process id (old + total processes)
 * takes its place with fresh connections.
 */
import { completionForError } from "../workloads/outcome.ts";
import type { Random } from "../workloads/random.ts";
import { applyRegisterOp, type RegisterGenerator, registerOpHasEffect } from "../workloads/register.ts";
import type { HistoryWriter } from "./history-writer.ts";
import type { RunningScenario } from "./scenarios/scenario.ts";
import type { RegionName } from "./topology.ts";

export interface ClientLoopOptions {
  regions: RegionName[];
  concurrency: number;
  rate: number;
  opTimeoutMs: number;
  random: Random;
  generator: RegisterGenerator;
  scenario: RunningScenario;
  writer: HistoryWriter;
  /** Resolves when clients should stop issuing new operations. */
  stop: Promise<void>;
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

export async function runClients(o: ClientLoopOptions): Promise<void> {
  let stopped = false;
  o.stop.then(() => {
    stopped = true;
  });
  const limiter = new RateLimiter(o.rate, o.random);
  const total = o.regions.length * o.concurrency;

  const runProcess = async (slot: number, region: RegionName) => {
    let process = slot;
    let pc = o.scenario.openClient(region, process);
    try {
      while (!stopped) {
        await Promise.race([limiter.wait(), o.stop]);
        if (stopped) break;
        const op = o.generator.next();
        const node = pc.nodeFor(op);
        const base = { process, f: op.f, key: op.key, region, node };
        o.writer.record({ ...base, type: "invoke", value: op.value });
        let completion: { type: "ok" | "fail" | "info"; value: unknown; error?: string };
        try {
          const r = await withDeadline(applyRegisterOp(pc.client, op), o.opTimeoutMs + 1000);
          completion = r.ok
            ? { type: "ok", value: r.value }
            : { type: "fail", value: r.value, error: r.error };
        } catch (err) {
          completion = completionForError(err, registerOpHasEffect(op), op.value);
        }
        o.writer.record({ ...base, ...completion });
        if (completion.type === "info") {
          await pc.client.close();
          process += total;
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
}
