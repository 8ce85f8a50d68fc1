/**
 * redis-sentinel end to end on real Redis and Sentinel (a negative control): the master's region
 * is cut off, the Sentinels elsewhere promote a replica, the old master keeps acknowledging its
 * region's writes until the partition heals and it is turned into a replica. The run must find
 * acknowledged adds that are gone (`lost-write`) and stale reads, show when the failover happened
 * and which writes went to the demoted master, and leave nothing running. Clock faults and
 * proxy-only partitions are refused before anything starts.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NEMESIS } from "../../checkers/history/op.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { planRun, preflightRun, runTest } from "../../harness/run/runner.ts";
import { topologyFor } from "../../harness/scenarios/assemble.ts";
import { registerScenario } from "../../harness/scenarios/index.ts";
import { redisSentinel } from "../../harness/scenarios/redis-sentinel.ts";
import { redisDriver } from "../../harness/stores/redis/driver.ts";
import { SENTINEL_WRITES_FILE } from "../../harness/stores/redis/sentinel-deployment.ts";
import type { SupervisedNode } from "../../harness/stores/supervised-node.ts";
import { packetFaultsAndBinaries } from "../support/store-binaries.ts";

const store = mkdtempSync(join(tmpdir(), "faultline-redis-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

const config = (over: Record<string, unknown> = {}) =>
  validateConfig({
    ...DEFAULTS,
    ...redisSentinel.defaults,
    name: "it-redis",
    scenario: "redis-sentinel",
    seed: Number(process.env.FAULTLINE_SEED ?? 3),
    store,
    timeLimitS: 30,
    ...over,
  });

interface Ack {
  node: string;
  key: string;
  value: number;
  atMs: number;
}

describe("redis-sentinel, refused faults", () => {
  // Asked of the driver itself: planning a clock nemesis first needs libfaketime on this machine.
  it("refuses clock faults with the reason, before anything starts", async () => {
    for (const nemesis of [["clock"], ["skew"], ["kill", "clock-bump"]]) {
      const c = config({ nemesis });
      const problems = await redisDriver.preflight({
        layout: redisSentinel.layoutSpec,
        topology: topologyFor(redisSentinel, c, c.net),
        options: {},
        workload: "set",
        backend: "local",
        config: c,
      });
      expect(problems).toContainEqual(
        expect.stringMatching(/clock faults are refused for Redis: redis-server hangs under libfaketime/),
      );
    }
  });

  it("refuses partitions without --net netns: Sentinels gossip addresses", async () => {
    const c = config({ net: "proxy" });
    await expect(preflightRun(c, planRun(c))).rejects.toThrow(
      /partitions must cut packets: run with --net netns/,
    );
  });
});

describe.runIf(
  packetFaultsAndBinaries({ "redis-server": "redis-server", "redis-sentinel": "redis-sentinel" }),
)("redis-sentinel, end to end", () => {
  it("loses the demoted master's acknowledged writes and serves stale reads", async () => {
    const nodes: SupervisedNode[] = [];
    const outcome = await runTest(
      config(),
      { phase: () => {}, log: () => {} },
      { onStarted: (_w, running) => nodes.push(...([...running.nodes.values()] as SupervisedNode[])) },
    );
    const history = parseHistory(readFileSync(outcome.folder.history, "utf8"));
    const cut = history.find((o) => o.process === NEMESIS && o.f === "partition" && o.phase === "start")!;
    const healed = history.find((o) => o.process === NEMESIS && o.f === "partition" && o.phase === "stop")!;
    expect(cut.error).toBeUndefined();
    expect(String(cut.value)).toMatch(/packets dropped/);

    const results = outcome.results!;
    expect(results.valid).toBe(false);
    expect(results.anomalyTypes).toEqual(expect.arrayContaining(["lost-write", "stale-read"]));
    // After healing, every node holds the same data again (the old master resynced).
    expect(results.checkers.divergence?.valid).toBe(true);

    // Sentinel failed over from the cut-off master to a replica elsewhere, during the cut.
    const signals = results.signals.sentinel as {
      failovers: { from: string; to: string; atMs: number }[];
      writesToDemotedMaster: { count: number };
    };
    expect(signals.failovers.length).toBeGreaterThanOrEqual(1);
    const f = signals.failovers[0]!;
    expect(f.from).toBe("redis-us-east-1");
    expect(["redis-eu-west-1", "redis-ap-south-1"]).toContain(f.to);
    // The cut began at its planned offset (it is recorded once every node pair is cut).
    const cutStartMs = (cut.plannedMs as number | undefined) ?? cut.time! / 1e6;
    const failoverAfterCutMs = f.atMs - cutStartMs;
    expect(failoverAfterCutMs).toBeGreaterThan(0);
    expect(f.atMs).toBeLessThan(healed.time! / 1e6);
    expect(signals.writesToDemotedMaster.count).toBeGreaterThan(0);
    // Failover time as the run's signal (what --slo-failover judges): from the cut to the first
    // write the new master acknowledged.
    const [failover] = results.signals.failover as {
      to: string;
      startedAtMs: number;
      firstWriteAfterMs: number;
    }[];
    expect(failover!.to).toBe(f.to);
    expect(failover!.startedAtMs).toBe(Math.round(cutStartMs));
    expect(failover!.firstWriteAfterMs).toBeGreaterThan(failoverAfterCutMs - 1);

    // Every lost acknowledged add was acknowledged by the old master, and the writes it took after
    // the failover are all lost.
    const file = JSON.parse(readFileSync(join(outcome.folder.dir, SENTINEL_WRITES_FILE), "utf8")) as {
      acknowledgedWrites: Ack[];
      writesToDemotedMaster: Ack[];
    };
    const ackedBy = new Map(file.acknowledgedWrites.map((a) => [a.value, a.node]));
    const set = results.checkers.set!;
    const lost = (set.lost as { element: number; acknowledged: boolean }[]).filter((l) => l.acknowledged);
    expect(lost.length).toBeGreaterThan(0);
    for (const l of lost) expect(ackedBy.get(l.element)).toBe("redis-us-east-1");
    // The history names the master that acknowledged each add (not the router's primary): the old
    // master for the lost ones, the new master for adds after clients followed the failover.
    const addNode = new Map(
      history.filter((o) => o.f === "add" && o.type === "ok").map((o) => [o.value as number, o.node]),
    );
    for (const l of lost) expect(addNode.get(l.element)).toBe("redis-us-east-1");
    expect([...addNode.values()]).toContain(f.to);
    for (const a of file.acknowledgedWrites) expect(addNode.get(a.value)).toBe(a.node);
    const lostSet = new Set(lost.map((l) => l.element));
    for (const w of file.writesToDemotedMaster) expect(lostSet.has(w.value)).toBe(true);

    console.info(
      `redis-sentinel: failover ${f.from} -> ${f.to} ${Math.round(failoverAfterCutMs)} ms after the cut, ` +
        `first write on it ${failover!.firstWriteAfterMs} ms after the cut; ` +
        `${set.stats!.addsAcknowledged} acknowledged adds, ${lost.length} lost, ` +
        `${signals.writesToDemotedMaster.count} acknowledged by the demoted master; ` +
        `wall ${(outcome.wallMs / 1000).toFixed(1)} s`,
    );
    expect(nodes.length).toBe(6);
    for (const n of nodes) expect(n.pid).toBeUndefined();
  }, 150_000);

  it("register workload: linearizable without faults; never-written keys read as null", async () => {
    registerScenario({
      ...redisSentinel,
      name: "redis-register-calm",
      workload: "register",
      routing: { writes: "primary", reads: "primary" },
      checkers: [{ name: "linearizable", options: { model: "cas-register", initial: null, allKeys: true } }],
    });
    const outcome = await runTest(config({ scenario: "redis-register-calm", timeLimitS: 8, nemesis: [] }), {
      phase: () => {},
      log: () => {},
    });
    const history = parseHistory(readFileSync(outcome.folder.history, "utf8"));
    const oks = history.filter((o) => o.type === "ok" && o.process !== NEMESIS);
    expect(oks.some((o) => o.f === "read" && o.value === null)).toBe(true);
    expect(oks.some((o) => o.f === "cas")).toBe(true);
    expect(history.some((o) => o.type === "fail" && o.f === "cas" && o.error === "cas-mismatch")).toBe(true);
    expect(outcome.results!.checkers.linearizable?.valid).toBe(true);
    expect(outcome.results!.checkers.divergence?.valid).toBe(true);
  }, 120_000);

  it("minReplicasToWrite and WAIT: a master cut from its replicas refuses writes (fail), and unreplicated writes are unknown (info)", async () => {
    registerScenario({
      ...redisSentinel,
      name: "redis-sentinel-guarded",
      storeOptions: { minReplicasToWrite: 1, minReplicasMaxLagS: 1, wait: { replicas: 1, timeoutMs: 300 } },
    });
    const outcome = await runTest(
      config({ scenario: "redis-sentinel-guarded", timeLimitS: 20, faultDurationS: 8 }),
      {
        phase: () => {},
        log: () => {},
      },
    );
    const history = parseHistory(readFileSync(outcome.folder.history, "utf8"));
    const adds = history.filter((o) => o.f === "add" && o.process !== NEMESIS);
    // NOREPLICAS: refused by the master, definitely not applied.
    expect(adds.some((o) => o.type === "fail" && /NOREPLICAS/.test(String(o.error)))).toBe(true);
    // Applied on the master, but WAIT saw no replica take it: unknown.
    expect(adds.some((o) => o.type === "info" && /WAIT 1 300: only 0 replica/.test(String(o.error)))).toBe(
      true,
    );
    const demoted = outcome.results!.signals.sentinel as { writesToDemotedMaster: { count: number } };
    console.info(
      `redis-sentinel-guarded: ${adds.filter((o) => o.type === "fail").length} refused, ` +
        `${adds.filter((o) => o.type === "info").length} unknown, ${demoted.writesToDemotedMaster.count} acknowledged by a demoted master, ` +
        `${outcome.results!.checkers.set!.stats!.lostAcknowledged} acknowledged adds lost, ` +
        `anomalies: ${outcome.results!.anomalyTypes.join(", ") || "none"}`,
    );
  }, 150_000);

  it("a Sentinel that never elects: writes cut from the master end as info ops, and the run ends on time", async () => {
    // Sentinels that would only call the master down after a minute never fail over in this run.
    registerScenario({
      ...redisSentinel,
      name: "redis-sentinel-never-elects",
      storeOptions: { downAfterMs: 60_000 },
    });
    const outcome = await runTest(
      config({ scenario: "redis-sentinel-never-elects", timeLimitS: 20, faultDurationS: 8 }),
      {
        phase: () => {},
        log: () => {},
      },
    );
    const history = parseHistory(readFileSync(outcome.folder.history, "utf8"));
    const signals = outcome.results!.signals.sentinel as { failovers: unknown[] };
    expect(signals.failovers).toEqual([]);
    // Clients outside the master's region lost it for the cut: their adds ended unknown, not hung.
    const infos = history.filter((o) => o.type === "info" && o.process !== NEMESIS && o.region !== "us-east");
    expect(infos.length).toBeGreaterThan(0);
    // Time limit + quiesce + final reads + checking: bounded, nothing waited forever.
    expect(outcome.wallMs).toBeLessThan(90_000);
    // Nothing was lost: the master was never replaced.
    expect(outcome.results!.anomalyTypes).not.toContain("lost-write");
  }, 150_000);
});
