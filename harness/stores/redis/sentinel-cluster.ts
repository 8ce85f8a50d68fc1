/**
 * Starts the `sentinel` layout on any backend that can run its servers (a `RedisNodeRunner`: local
 * processes in local-redis-nodes.ts, containers in container-redis-nodes.ts): the master (role
 * "primary"), replicas (role "replica") that follow it directly (peers learn addresses by gossip,
 * so peer links are cut at packet level, not proxied), and Sentinels (role "sentinel") that know
 * master and replicas from their config. Resolves only once the replicas stream and the Sentinels
 * see each other and agree they can fail over (SENTINEL CKQUORUM); otherwise it says which part
 * never came up.
 */
import { randomBytes } from "node:crypto";
import type { NodeAddress } from "../../backends/backend.ts";
import { sleep } from "../../sleep.ts";
import type { NodeSpec } from "../../topology.ts";
import type { ServerNode } from "../server-node.ts";
import type { DeployContext } from "../store-driver.ts";
import { parseInfo, withDirect } from "./direct-connection.ts";
import { MASTER_NAME, sentinelConfig, serverConfig } from "./redis-config.ts";
import type { SentinelOptions } from "./sentinel-options.ts";

export interface SentinelCluster {
  password: string;
  /** Data nodes (master first), by name. */
  servers: Map<string, ServerNode>;
  sentinels: Map<string, ServerNode>;
  /** `host:port` as Redis and Sentinel announce a data node -> its name. */
  nodeAt(hostPort: string): string | undefined;
  stop(): Promise<void>;
}

/** Where a node listens and how its peers know it. */
export interface RedisNodePlace {
  /** `bind` and `port` in its config. */
  listen: NodeAddress;
  /** The address replicas and Sentinels dial and Sentinel hands out (`nodeAt` maps it back). */
  peer: NodeAddress;
  /** Set where peers know it by name (a container's alias): it announces itself so. */
  announceHost?: string;
}

/** How one backend runs the layout's servers; the cluster logic above is the same on every one. */
export interface RedisNodeRunner {
  place(spec: NodeSpec): Promise<RedisNodePlace>;
  /** The node's working directory as its config names it (`dir`). */
  dirOf(spec: NodeSpec): string;
  /** A node (not started yet) running redis-server or redis-sentinel with this config. */
  make(
    spec: NodeSpec,
    kind: "server" | "sentinel",
    config: string,
    probe: (address: NodeAddress) => Promise<void>,
  ): ServerNode;
  /** Releases what the runner holds (working directories) once the nodes are stopped. */
  release?(): void;
}

export const READY_TIMEOUT_MS = 15_000;
/** How long the Sentinels get to find each other and agree on a quorum. */
const SENTINEL_DISCOVERY_MS = 20_000;

export async function startSentinelCluster(
  ctx: DeployContext,
  runner: RedisNodeRunner,
  options: SentinelOptions,
): Promise<SentinelCluster> {
  const password = randomBytes(18).toString("hex");
  const nodes = ctx.topology.nodes;
  const masterSpec = nodes.find((n) => n.role === "primary")!;
  const replicaSpecs = nodes.filter((n) => n.role === "replica");
  const sentinelSpecs = nodes.filter((n) => n.role === "sentinel");
  const places = new Map<string, RedisNodePlace>();
  for (const n of nodes) places.set(n.name, await runner.place(n));
  const byHostPort = new Map([...places].map(([name, p]) => [`${p.peer.host}:${p.peer.port}`, name]));
  const servers = new Map<string, ServerNode>();
  const sentinels = new Map<string, ServerNode>();
  const all: ServerNode[] = [];
  const probe = (a: NodeAddress) =>
    withDirect(a, { password, timeoutMs: 1000 }, async (r) => void (await r.ping()));
  const make = (spec: NodeSpec, kind: "server" | "sentinel", config: string) => {
    const node = runner.make(spec, kind, config, probe);
    all.push(node);
    return node;
  };
  const stop = async () => {
    await Promise.all(all.map((n) => n.stop().catch(() => {})));
    runner.release?.();
  };

  try {
    const master = places.get(masterSpec.name)!.peer;
    for (const spec of [masterSpec, ...replicaSpecs]) {
      const place = places.get(spec.name)!;
      const config = serverConfig({
        bind: place.listen,
        dir: runner.dirOf(spec),
        password,
        replicaOf: spec === masterSpec ? undefined : master,
        minReplicasToWrite: options.minReplicasToWrite,
        minReplicasMaxLagS: options.minReplicasMaxLagS,
        announceHost: place.announceHost,
      });
      servers.set(spec.name, make(spec, "server", config));
    }
    await Promise.all([...servers.values()].map((n) => n.start()));
    await waitReplicasStreaming([...servers.values()].slice(1), password);

    const quorum = Math.floor(sentinelSpecs.length / 2) + 1;
    for (const spec of sentinelSpecs) {
      const place = places.get(spec.name)!;
      const text = sentinelConfig({
        bind: place.listen,
        dir: runner.dirOf(spec),
        password,
        master,
        quorum,
        replicas: replicaSpecs.map((r) => places.get(r.name)!.peer),
        downAfterMs: options.downAfterMs,
        failoverTimeoutMs: options.failoverTimeoutMs,
        announceHost: place.announceHost,
      });
      sentinels.set(spec.name, make(spec, "sentinel", text));
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
async function waitReplicasStreaming(replicas: ServerNode[], password: string): Promise<void> {
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
async function waitSentinelsAgree(sentinels: ServerNode[], password: string): Promise<void> {
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
