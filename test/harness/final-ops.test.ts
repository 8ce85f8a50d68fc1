/**
 * The final phase's plumbing without a store: the workload's final operations run once per region
 * on fresh processes (ids no client used), are recorded with `final: true`, and a process whose op
 * ends in `info` retires as in the main loop.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pairOps } from "../../checkers/history/pairs.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { checkSet } from "../../checkers/set.ts";
import { runClients, runFinalOps } from "../../harness/run/client-loop.ts";
import { Prng } from "../../harness/generator/prng.ts";
import { HistoryWriter } from "../../harness/run/history-writer.ts";
import type { ClientSource } from "../../harness/run/client-loop.ts";
import { OpTimeout } from "../../workloads/outcome.ts";
import { type SetClient, type SetOp, setWorkload } from "../../workloads/set.ts";

const dir = mkdtempSync(join(tmpdir(), "faultline-final-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const random = (seed: number) => {
  const p = new Prng(seed);
  return { float: () => p.float(), int: (n: number) => p.int(0, n - 1) };
};

/** One in-memory store of sets; `failFirstFinalOpIn` makes that region's first final op time out. */
function fakeScenario(opts: { failFirstFinalOpIn?: string } = {}) {
  const sets = new Map<number, number[]>();
  const opened: { region: string; process: number }[] = [];
  let finalPhase = false;
  let failed = false;
  const scenario: ClientSource<SetOp> = {
    openClient(region, process) {
      opened.push({ region, process });
      const client: SetClient = {
        async add(key, element) {
          if (finalPhase && region === opts.failFirstFinalOpIn && !failed) {
            failed = true;
            throw new OpTimeout("no answer");
          }
          sets.set(key, [...(sets.get(key) ?? []), element]);
        },
        async read(key) {
          if (finalPhase && region === opts.failFirstFinalOpIn && !failed) {
            failed = true;
            throw new OpTimeout("no answer");
          }
          return [...(sets.get(key) ?? [])];
        },
        async close() {},
      };
      return { client: { at: () => client, close: async () => {} }, nodeFor: () => `node-${region}` };
    },
  };
  return { scenario, opened, startFinal: () => (finalPhase = true) };
}

describe("final operations", () => {
  it("run once per region on fresh processes, marked final, and make a set history checkable", async () => {
    const writer = new HistoryWriter(join(dir, "a.jsonl"));
    const { scenario, opened, startFinal } = fakeScenario();
    const workload = setWorkload({ keys: 2 });
    const regions = ["us-east", "eu-west"];
    const done = await runClients({
      regions,
      concurrency: 2,
      rate: 2000,
      opTimeoutMs: 1000,
      seed: 2,
      workload,
      scenario,
      writer,
      stop: new Promise((r) => setTimeout(r, 150)),
    });
    const clientProcesses = new Set(opened.map((o) => o.process));
    expect(done.nextProcess).toBeGreaterThan(Math.max(...clientProcesses));
    startFinal();
    const n = await runFinalOps({
      regions,
      opTimeoutMs: 1000,
      workload,
      scenario,
      writer,
      firstProcess: done.nextProcess,
    });
    writer.close();

    expect(n).toBe(4); // 2 keys x 2 regions
    const history = parseHistory(readFileSync(join(dir, "a.jsonl"), "utf8"));
    expect(() => pairOps(history)).not.toThrow();
    const finals = history.filter((o) => o.final === true);
    expect(finals).toHaveLength(8); // invoke + completion each
    expect(new Set(finals.map((o) => o.region))).toEqual(new Set(regions));
    for (const o of finals) {
      expect(o.f).toBe("read");
      expect(clientProcesses.has(o.process as number)).toBe(false);
    }
    // The last ops of the history are the final reads, and they see every add.
    const r = checkSet(history);
    expect(r.valid).toBe(true);
    expect(r.stats).toMatchObject({ neverRead: 0, lost: 0 });
  });

  it("a final op that ends in info retires its process; the rest run on a fresh one", async () => {
    const writer = new HistoryWriter(join(dir, "b.jsonl"));
    const { scenario, opened, startFinal } = fakeScenario({ failFirstFinalOpIn: "eu-west" });
    // Final ops with an effect, so a timeout is an unknown outcome (info), not a definite failure.
    const workload = {
      ...setWorkload({ keys: 2 }),
      finalOps: (): SetOp[] => [
        { f: "add", key: 0, value: 999 },
        { f: "read", key: 0, value: null },
      ],
    };
    startFinal();
    const n = await runFinalOps({
      regions: ["us-east", "eu-west"],
      opTimeoutMs: 1000,
      workload,
      scenario,
      writer,
      firstProcess: 100,
    });
    writer.close();
    expect(n).toBe(4);
    const history = parseHistory(readFileSync(join(dir, "b.jsonl"), "utf8"));
    expect(() => pairOps(history)).not.toThrow();
    const eu = history.filter((o) => o.region === "eu-west" && o.type !== "invoke");
    expect(eu.map((o) => [o.f, o.type])).toEqual([
      ["add", "info"],
      ["read", "ok"],
    ]);
    // us-east and eu-west got 100 and 101; eu-west's retired process was replaced by 101 + 2 regions.
    expect(new Set(history.map((o) => o.process))).toEqual(new Set([100, 101, 103]));
    expect(opened.map((o) => o.process).sort()).toEqual([100, 101, 103]);
  });
});
