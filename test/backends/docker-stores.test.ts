/**
 * Redis (Sentinel) and etcd on the docker backend give the verdicts they give on the local one:
 * redis-sentinel (negative control: the master's region is cut off with iptables inside the
 * containers, Sentinel promotes a replica elsewhere, the demoted master's acknowledged writes are
 * lost), etcd-3-region (positive control under partitions, kills and pauses of containers) and
 * etcd-serializable-reads (negative control: nonlinearizable). Each is a real 30 s run configured
 * as `faultline run <scenario> --backend docker` would be (the scenarios' `--net netns` default is
 * the local backend's and must not apply), and leaves no container or network behind.
 * Without Docker: skipped loudly locally, a failure under CI=true.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NEMESIS } from "../../checkers/history/op.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { dockerUnavailableReason } from "../../harness/backends/docker/docker-available.ts";
import { LABEL_RUN } from "../../harness/backends/docker/run-labels.ts";
import { configFromFlags } from "../../harness/cli/run-command.ts";
import { runTest } from "../../harness/run/runner.ts";
import { SENTINEL_WRITES_FILE } from "../../harness/stores/redis/sentinel-deployment.ts";
import { requirement } from "../support/requirements.ts";

const reason = await dockerUnavailableReason();
const haveDocker = requirement("Docker", reason === undefined, reason ?? "");

const store = mkdtempSync(join(tmpdir(), "faultline-docker-stores-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

/** Every container / network the daemon still has for a run (by its run-id label). */
function leftovers(runId: string): string[] {
  const list = (what: string[]) =>
    execFileSync("docker", [...what, "--filter", `label=${LABEL_RUN}=${runId}`, "--format", "{{.Names}}"], {
      encoding: "utf8",
    });
  return [...list(["ps", "-a"]).split("\n"), ...list(["network", "ls"]).split("\n")].filter(Boolean);
}

/** `faultline run <scenario> --backend docker -t 30 --seed <seed>`, run in-process. */
async function run(scenario: string, seed: number) {
  const config = configFromFlags(scenario, { backend: "docker", timeLimit: 30, seed, store });
  expect(config.net).toBe("proxy"); // the docker backend brings its own packet network
  const outcome = await runTest(config, { phase: () => {}, log: () => {} });
  const history = parseHistory(readFileSync(outcome.folder.history, "utf8"), { fileName: "history.jsonl" });
  const starts = history.filter((o) => o.process === NEMESIS && o.phase === "start");
  return { outcome, history, starts, results: outcome.results! };
}

describe("the scenarios' --net netns default", () => {
  it("applies on the local backend, not on docker (its packet network is iptables), unless --net asks", () => {
    expect(configFromFlags("redis-sentinel", { seed: 1 }).net).toBe("netns");
    expect(configFromFlags("etcd-3-region", { seed: 1, backend: "docker" }).net).toBe("proxy");
    expect(configFromFlags("etcd-3-region", { seed: 1, backend: "docker", net: "netns" }).net).toBe("netns");
  });
});

describe.skipIf(!haveDocker)("Redis and etcd on --backend docker", () => {
  it("redis-sentinel: the demoted master's acknowledged writes are lost (lost-write), nothing left", async () => {
    const { outcome, history, starts, results } = await run("redis-sentinel", 3);
    // The cut is iptables inside the containers: the peers find each other by gossip.
    const cut = starts.find((o) => o.f === "partition")!;
    expect(cut.error).toBeUndefined();
    expect(String(cut.value)).toMatch(/dropped \(iptables in redis-us-east-1\)/);
    expect(history.filter((o) => o.process !== NEMESIS && o.type === "ok").length).toBeGreaterThan(500);

    expect(results.valid).toBe(false);
    expect(results.anomalyTypes).toContain("lost-write");
    expect(results.checkers.divergence?.valid ?? true).toBe(true);
    // Sentinel (in the containers) failed over to a replica in another region.
    const sentinel = results.signals.sentinel as {
      failovers: { from: string; to: string }[];
      writesToDemotedMaster: { count: number };
    };
    expect(sentinel.failovers[0]?.from).toBe("redis-us-east-1");
    expect(["redis-eu-west-1", "redis-ap-south-1"]).toContain(sentinel.failovers[0]?.to);
    expect(sentinel.writesToDemotedMaster.count).toBeGreaterThan(0);
    // Clients followed the failover through natMap: the new master, reached through its proxy,
    // acknowledged adds (the history names it).
    const ackedBy = new Set(history.filter((o) => o.f === "add" && o.type === "ok").map((o) => o.node));
    expect(ackedBy).toContain(sentinel.failovers[0]!.to);
    // Every lost acknowledged add went to the demoted master.
    const file = JSON.parse(readFileSync(join(outcome.folder.dir, SENTINEL_WRITES_FILE), "utf8")) as {
      acknowledgedWrites: { node: string; value: number }[];
    };
    const node = new Map(file.acknowledgedWrites.map((a) => [a.value, a.node]));
    const lost = (results.checkers.set!.lost as { element: number; acknowledged: boolean }[]).filter(
      (l) => l.acknowledged,
    );
    expect(lost.length).toBeGreaterThan(0);
    for (const l of lost) expect(node.get(l.element)).toBe("redis-us-east-1");
    // The containers' output was kept; the old master rejoined as a replica of the new one.
    expect(readFileSync(join(outcome.folder.dir, "logs/redis-us-east-1.log"), "utf8")).toMatch(
      /MASTER <-> REPLICA sync/,
    );
    console.info(
      `redis-sentinel on docker: ${lost.length} acknowledged adds lost, ` +
        `${sentinel.writesToDemotedMaster.count} acknowledged by the demoted master; wall ${(outcome.wallMs / 1000).toFixed(1)} s`,
    );
    expect(leftovers(outcome.folder.dir)).toEqual([]);
  }, 240_000);

  it("etcd-3-region: linearizable under partitions, container kills and pauses, nothing left", async () => {
    const { outcome, history, starts, results } = await run("etcd-3-region", 1);
    const kinds = new Set(starts.filter((o) => !o.error).map((o) => o.f));
    expect(kinds).toContain("kill");
    expect(kinds).toContain("pause");
    expect(kinds).toContain("partition");
    expect(
      starts.some((o) => o.f === "partition" && /dropped \(iptables in etcd-/.test(String(o.value))),
    ).toBe(true);
    expect(history.filter((o) => o.process !== NEMESIS && o.type === "ok").length).toBeGreaterThan(500);
    expect(results.checkers.linearizable?.valid).toBe(true);
    expect(results.valid).toBe(true);
    console.info(`etcd-3-region on docker: valid; wall ${(outcome.wallMs / 1000).toFixed(1)} s`);
    expect(leftovers(outcome.folder.dir)).toEqual([]);
  }, 240_000);

  it("etcd-serializable-reads: a member cut off from the majority serves stale reads (nonlinearizable)", async () => {
    const { outcome, starts, results } = await run("etcd-serializable-reads", 1);
    expect(starts.some((o) => o.f === "partition" && /iptables/.test(String(o.value)))).toBe(true);
    expect(results.valid).toBe(false);
    expect(results.anomalyTypes).toContain("nonlinearizable");
    expect(leftovers(outcome.folder.dir)).toEqual([]);
  }, 240_000);
});
