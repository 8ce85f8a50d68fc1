/**
 * An etcd member that cannot join fails the deploy with a clear error naming it (and its log),
 * promptly, and takes the other members down with it: here the third member is placed on an
 * address it cannot bind, so it exits at once and the other two never get a quorum.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Backend } from "../../harness/backends/backend.ts";
import { supervisor } from "../../harness/backends/local/supervisor.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { findEtcd } from "../../harness/stores/etcd/binaries.ts";
import { localEtcdMembers } from "../../harness/stores/etcd/local-etcd-members.ts";
import { startRaftCluster } from "../../harness/stores/etcd/raft-cluster.ts";
import type { DeployContext } from "../../harness/stores/store-driver.ts";
import type { NodeSpec } from "../../harness/topology.ts";
import { requirement } from "../support/requirements.ts";

const dir = mkdtempSync(join(tmpdir(), "faultline-etcd-join-"));
afterAll(async () => {
  await supervisor.stopAll(); // removes the cluster's data dir too
  rmSync(dir, { recursive: true, force: true });
});

const etcd = findEtcd().etcd;

describe.runIf(requirement("etcd", etcd !== undefined, "apt-get install -y etcd-server"))(
  "etcd deploy",
  () => {
    it("names the member that does not join instead of hanging", async () => {
      const nodes: NodeSpec[] = ["a", "b", "c"].map((r) => ({
        name: `etcd-${r}`,
        region: r,
        store: "etcd",
        role: "peer",
      }));
      const backend = {
        name: "local",
        net: "proxy",
        proxyListenHost: "127.0.0.1",
        // 192.0.2.1 (TEST-NET-1) is on no interface here: etcd-c cannot bind it.
        placement: (node: string) => ({ bindHost: node === "etcd-c" ? "192.0.2.1" : "127.0.0.1" }),
        proxyAddressForNodes: (a: { host: string; port: number }) => a,
        dispose: async () => {},
      } as unknown as Backend;
      const logs = join(dir, "logs");
      mkdirSync(logs);
      const ctx = {
        layout: { kind: "raft", regions: ["a", "b", "c"], nodes },
        topology: { regions: [{ name: "a" }, { name: "b" }, { name: "c" }], nodes, links: [], latency: {} },
        options: {},
        workload: "register",
        config: validateConfig({ ...DEFAULTS, name: "x", scenario: "etcd-3-region", seed: 1 }),
        backend,
        folder: { dir, logs, history: "", testJson: "", results: "", metrics: "" },
        dial: async (_f: string, _t: string, target: { host: string; port: number }) => target,
        nodeEnv: () => undefined,
        log: () => {},
      } as unknown as DeployContext;
      const started = performance.now();
      await expect(startRaftCluster(ctx, localEtcdMembers(ctx, etcd!))).rejects.toThrow(
        /etcd-c exited during startup[\s\S]*cannot assign requested address/,
      );
      expect(performance.now() - started).toBeLessThan(20_000);
    }, 60_000);
  },
);
