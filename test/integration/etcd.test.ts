/**
 * etcd end to end on real etcd 3.4, one member per region, packet-level partitions:
 * - etcd-3-region (a positive control): partitions, kills and pauses of members while clients read,
 *   write and compare-and-set registers through their region's member: the history is
 *   linearizable, and the members agree after healing.
 * - etcd-serializable-reads (a negative control): serializable reads served by a member cut off
 *   from the majority are stale: `nonlinearizable`.
 * Clock faults are refused with the reason; nothing is left running.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NEMESIS } from "../../checkers/history/op.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { runTest } from "../../harness/run/runner.ts";
import { topologyFor } from "../../harness/scenarios/assemble.ts";
import { etcd3Region, etcdSerializableReads } from "../../harness/scenarios/etcd-3-region.ts";
import { registerScenario } from "../../harness/scenarios/index.ts";
import type { Scenario } from "../../harness/scenarios/scenario.ts";
import { etcdDriver } from "../../harness/stores/etcd/driver.ts";
import type { SupervisedNode } from "../../harness/stores/supervised-node.ts";
import { packetFaultsAndBinaries } from "../support/store-binaries.ts";

const store = mkdtempSync(join(tmpdir(), "faultline-etcd-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

const config = (scenario: Scenario, over: Record<string, unknown> = {}) =>
  validateConfig({
    ...DEFAULTS,
    ...scenario.defaults,
    name: `it-${scenario.name}`,
    scenario: scenario.name,
    seed: Number(process.env.FAULTLINE_SEED ?? 5),
    store,
    timeLimitS: 30,
    ...over,
  });

async function run(scenario: Scenario) {
  const nodes: SupervisedNode[] = [];
  const outcome = await runTest(
    config(scenario),
    { phase: () => {}, log: () => {} },
    { onStarted: (_w, running) => nodes.push(...([...running.nodes.values()] as SupervisedNode[])) },
  );
  const history = parseHistory(readFileSync(outcome.folder.history, "utf8"));
  return { outcome, history, nodes };
}

describe("etcd, refused faults", () => {
  it("refuses clock faults with the reason", async () => {
    const c = config(etcd3Region, { nemesis: ["partition", "clock"] });
    const problems = await etcdDriver.preflight({
      layout: etcd3Region.layoutSpec,
      topology: topologyFor(etcd3Region, c, c.net),
      options: {},
      workload: "register",
      backend: "local",
      config: c,
    });
    expect(problems).toContainEqual(
      expect.stringMatching(/clock faults are refused for etcd: etcd is a Go program/),
    );
  });
});

describe.runIf(packetFaultsAndBinaries({ etcd: "etcd-server" }))("etcd, end to end", () => {
  it("etcd-3-region: linearizable under partitions, kills and pauses", async () => {
    const { outcome, history, nodes } = await run(etcd3Region);
    const faults = history.filter((o) => o.process === NEMESIS && o.phase === "start");
    expect(faults.every((f) => f.error === undefined)).toBe(true);
    expect(new Set(faults.map((f) => f.f))).toEqual(new Set(["partition", "kill", "pause"]));
    // Work got done on every member, including writes and successful compare-and-sets.
    const oks = history.filter((o) => o.type === "ok" && o.process !== NEMESIS);
    expect(new Set(oks.map((o) => o.node))).toEqual(
      new Set(["etcd-us-east-1", "etcd-eu-west-1", "etcd-ap-south-1"]),
    );
    expect(oks.filter((o) => o.f === "cas").length).toBeGreaterThan(0);
    expect(oks.filter((o) => o.f === "read" && o.value !== null).length).toBeGreaterThan(0);
    // A key never written reads as null (the register's initial value), not as an error.
    expect(oks.some((o) => o.f === "read" && o.value === null)).toBe(true);
    const results = outcome.results!;
    expect(results.checkers.linearizable?.valid).toBe(true);
    expect(results.checkers.divergence?.valid).toBe(true);
    expect(results.valid).toBe(true);
    console.info(`etcd-3-region: ${oks.length} ok ops, faults ${faults.map((f) => f.f).join(", ")}`);
    for (const n of nodes) expect(n.pid).toBeUndefined();
  }, 180_000);

  it("set workload: no acknowledged add lost under region partitions", async () => {
    registerScenario({
      ...etcd3Region,
      name: "etcd-set",
      workload: "set",
      checkers: [{ name: "set", options: {} }],
      defaults: { net: "netns", nemesis: ["partition"] },
    });
    const outcome = await runTest(
      config(etcd3Region, { scenario: "etcd-set", timeLimitS: 15, nemesis: ["partition"] }),
      { phase: () => {}, log: () => {} },
    );
    const set = outcome.results!.checkers.set!;
    expect(set.stats!.addsAcknowledged as number).toBeGreaterThan(0);
    expect(set.valid).toBe(true);
    expect(outcome.results!.checkers.divergence?.valid).toBe(true);
  }, 120_000);

  it("etcd-serializable-reads: stale reads from a member cut off from the majority", async () => {
    const { outcome, history, nodes } = await run(etcdSerializableReads);
    const cuts = history.filter((o) => o.process === NEMESIS && o.phase === "start");
    expect(cuts.length).toBeGreaterThan(0);
    for (const c of cuts) expect(String(c.value)).toMatch(/packets dropped/);
    const results = outcome.results!;
    expect(results.valid).toBe(false);
    expect(results.anomalyTypes).toContain("nonlinearizable");
    // The members converge after healing: the anomaly is in what reads returned, not in the data.
    expect(results.checkers.divergence?.valid).toBe(true);
    for (const n of nodes) expect(n.pid).toBeUndefined();
  }, 180_000);
});
