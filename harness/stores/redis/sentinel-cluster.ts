/**
 * Starts the `sentinel` layout on the local backend: the master (role "primary"), replicas (role
 * "replica") that follow it directly (peers learn addresses by gossip, so peer links are cut at
 * packet level, not proxied), and Sentinels (role "sentinel") that know master and replicas from
 * their config. Resolves only once the replicas stream and the Sentinels see each other and agree
 * they can fail over (SENTINEL CKQUORUM); otherwise it says which part never came up.
 */
import { randomBytes } from "node:crypto";
import { chownSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NodeAddress } from "../../backends/backend.ts";
import { allocatePort } from "../../backends/local/ports.ts";
import { type RunAs, resolveRunAs } from "../../backends/local/run-as.ts";
import { supervisor } from "../../backends/local/supervisor.ts";
import { createTempDir } from "../../backends/local/temp-dir.ts";
import { sleep } from "../../sleep.ts";
import type { NodeSpec } from "../../topology.ts";
import type { DeployContext } from "../store-driver.ts";
import { SupervisedNode } from "../supervised-node.ts";
import type { RedisBinaries } from "./binaries.ts";
import { parseInfo, withDirect } from "./direct-connection.ts";
import { MASTER_NAME, sentinelConfig, serverConfig } from "./redis-config.ts";
import type { SentinelOptions } from "./sentinel-options.ts";

export interface SentinelCluster {
  password: string;
  /** Data nodes (master first), by name. */
  servers: Map<string, SupervisedNode>;
  sentinels: Map<string, SupervisedNode>;
  /** `host:port` as Redis and Sentinel announce a data node -> its name. */
  nodeAt(hostPort: string): string | undefined;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;
/** How long the Sentinels get to find each other and agree on a quorum. */
const SENTINEL_DISCOVERY_MS = 20_000;

function owned(runAs: RunAs | undefined, path: string, text?: string): void {
  if (text === undefined) mkdirSync(path, { recursive: true, mode: 0o700 });
  else writeFileSync(path, text, { mode: 0o600 });
  if (runAs) chownSync(path, runAs.uid, runAs.gid);
}

export async function startSentinelCluster(
  ctx: DeployContext,
  binaries: RedisBinaries,
  options: SentinelOptions,
): Promise<SentinelCluster> {
  const runAs = resolveRunAs();
  const work = createTempDir("redis", runAs);
  const password = randomBytes(18).toString("hex");
  const nodes = ctx.topology.nodes;
  const masterSpec = nodes.find((n) => n.role === "primary")!;
  const replicaSpecs = nodes.filter((n) => n.role === "replica");
  const sentinelSpecs = nodes.filter((n) => n.role === "sentinel");
  const addresses = new Map<string, NodeAddress>();
  for (const n of nodes)
    addresses.set(n.name, { host: ctx.backend.placement(n.name).bindHost, port: await allocatePort() });
  const byHostPort = new Map([...addresses].map(([name, a]) => [`${a.host}:${a.port}`, name]));
  const servers = new Map<string, SupervisedNode>();
  const sentinels = new Map<string, SupervisedNode>();
  const all: SupervisedNode[] = [];
  const probe = (a: NodeAddress) => () =>
    withDirect(a, { password, timeoutMs: 1000 }, async (r) => void (await r.ping()));

  const make = (spec: NodeSpec, binary: string, confText: string, extraArgs: string[]) => {
    const dir = join(work, spec.name);
    owned(runAs, dir);
    const conf = join(dir, spec.role === "sentinel" ? "sentinel.conf" : "redis.conf");
    owned(runAs, conf, confText);
    const placement = ctx.backend.placement(spec.name);
    const node = new SupervisedNode({
      spec,
      address: addresses.get(spec.name)!,
      command: binary,
      args: [conf, ...extraArgs],
      cwd: dir,
      logFile: join(ctx.folder.logs, `${spec.name}.log`),
      runAs,
      netns: placement.netns,
      env: ctx.nodeEnv(spec.name),
      supervisor,
      probe: probe(addresses.get(spec.name)!),
      readyTimeoutMs: READY_TIMEOUT_MS,
    });
    all.push(node);
    return node;
  };
  const stop = async () => void (await Promise.all(all.map((n) => n.stop().catch(() => {}))));

  try {
    const master = addresses.get(masterSpec.name)!;
    const serverConf = (spec: NodeSpec, replicaOf?: NodeAddress) =>
      serverConfig({
        bind: addresses.get(spec.name)!,
        dir: join(work, spec.name),
        password,
        replicaOf,
        minReplicasToWrite: options.minReplicasToWrite,
        minReplicasMaxLagS: options.minReplicasMaxLagS,
      });
    for (const spec of [masterSpec, ...replicaSpecs]) {
      const node = make(
        spec,
        binaries.server,
        serverConf(spec, spec === masterSpec ? undefined : master),
        [],
      );
      servers.set(spec.name, node);
    }
    await Promise.all([...servers.values()].map((n) => n.start()));
    await waitReplicasStreaming([...servers.values()].slice(1), password);

    const quorum = Math.floor(sentinelSpecs.length / 2) + 1;
    for (const spec of sentinelSpecs) {
      const text = sentinelConfig({
        bind: addresses.get(spec.name)!,
        dir: join(work, spec.name),
        password,
        master,
        quorum,
        replicas: replicaSpecs.map((r) => addresses.get(r.name)!),
        downAfterMs: options.downAfterMs,
        failoverTimeoutMs: options.failoverTimeoutMs,
      });
      sentinels.set(spec.name, make(spec, binaries.sentinel, text, []));
    }
    await Promise.all([...sentinels.values()].map((n) => n.start()));
    await waitSentinelsAgree([...sentinels.values()], password);
    ctx.log(
      `Redis: master ${masterSpec.name}, replicas ${replicaSpecs.map((r) => r.name).join(", ")}, ` +
        `Sentinels ${sentinelSpecs.map((s) => s.name).join(", ")} (quorum ${quorum})`,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { password, servers, sentinels, nodeAt: (hp) => byHostPort.get(hp), stop };
}

/** Every replica's link to its master is up (it has done its first sync). */
async function waitReplicasStreaming(replicas: SupervisedNode[], password: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (const r of replicas) {
    let last = "";
    for (;;) {
      try {
        const info = parseInfo(await withDirect(r.address, { password }, (c) => c.info("replication")));
        last = `master_link_status:${info.get("master_link_status")}`;
        if (info.get("master_link_status") === "up") break;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline)
        throw new Error(
          `Redis replica ${r.name} did not sync with its master within ${READY_TIMEOUT_MS} ms (${last}); see ${r.logFile}`,
        );
      await sleep(100);
    }
  }
}

/** Every Sentinel knows the others and says the quorum can authorize a failover. */
async function waitSentinelsAgree(sentinels: SupervisedNode[], password: string): Promise<void> {
  const deadline = Date.now() + SENTINEL_DISCOVERY_MS;
  for (const s of sentinels) {
    let last = "";
    for (;;) {
      try {
        const reply = await withDirect(s.address, { password }, async (c) => {
          const master = (await c.call("SENTINEL", "MASTER", MASTER_NAME)) as string[];
          const fields = new Map<string, string>();
          for (let i = 0; i + 1 < master.length; i += 2) fields.set(master[i]!, master[i + 1]!);
          const others = Number(fields.get("num-other-sentinels") ?? 0);
          if (others < sentinels.length - 1)
            return `knows ${others} other Sentinel(s) of ${sentinels.length - 1}`;
          return String(await c.call("SENTINEL", "CKQUORUM", MASTER_NAME));
        });
        last = reply;
        if (reply.startsWith("OK")) break;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline)
        throw new Error(
          `Sentinel ${s.name} cannot elect: after ${SENTINEL_DISCOVERY_MS} ms it ${last}; see ${s.logFile}`,
        );
      await sleep(200);
    }
  }
}
