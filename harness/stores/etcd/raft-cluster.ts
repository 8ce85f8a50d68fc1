/**
 * Starts the `raft` layout on any backend that can run its members (an `EtcdMemberRunner`: local
 * processes in local-etcd-members.ts, containers in container-etcd-members.ts): one etcd member
 * per node (role "peer"), each listening for peers and clients on its own address, the initial
 * cluster named in full on each, so members find each other directly (packet-level faults, not
 * proxies). Resolves once every member reports a leader; a member that does not join is named
 * with its log.
 */
import type { NodeAddress } from "../../backends/backend.ts";
import { sleep } from "../../sleep.ts";
import type { NodeSpec } from "../../topology.ts";
import type { ServerNode } from "../server-node.ts";
import type { DeployContext } from "../store-driver.ts";
import { GatewayClient } from "./gateway-client.ts";

export interface RaftCluster {
  members: Map<string, ServerNode>;
  stop(): Promise<void>;
}

/** Where a member listens, and the address its peers and clients are told. */
export interface EtcdMemberPlace {
  listenHost: string;
  /** The host in its advertised URLs (its own address locally, its name in a container). */
  advertiseHost: string;
  clientPort: number;
  peerPort: number;
}

/** How one backend runs the members; the cluster logic here is the same on every one. */
export interface EtcdMemberRunner {
  place(spec: NodeSpec): Promise<EtcdMemberPlace>;
  /** The member's data directory as the etcd process sees it. */
  dataDir(spec: NodeSpec): string;
  /** A member (not started yet) running etcd with these arguments. */
  make(spec: NodeSpec, args: string[], probe: (address: NodeAddress) => Promise<void>): ServerNode;
}

export const READY_TIMEOUT_MS = 15_000;
/** How long the members get to elect a first leader. */
const JOIN_TIMEOUT_MS = 20_000;

/** etcd's `/v3/maintenance/status` of one member (direct, short deadline). */
export async function memberStatus(
  address: NodeAddress,
  timeoutMs = 1_000,
): Promise<{ leader: string; raftIndex: number; raftAppliedIndex: number; memberId: string }> {
  const c = new GatewayClient(address, timeoutMs);
  try {
    const s = await c.post<{
      header?: { member_id?: string };
      leader?: string;
      raftIndex?: string;
      raftAppliedIndex?: string;
    }>("/v3/maintenance/status", {});
    return {
      leader: s.leader ?? "0",
      raftIndex: Number(s.raftIndex ?? 0),
      raftAppliedIndex: Number(s.raftAppliedIndex ?? 0),
      memberId: s.header?.member_id ?? "",
    };
  } finally {
    c.close();
  }
}

export async function startRaftCluster(ctx: DeployContext, runner: EtcdMemberRunner): Promise<RaftCluster> {
  const specs = ctx.topology.nodes;
  const places = new Map<string, EtcdMemberPlace>();
  for (const n of specs) places.set(n.name, await runner.place(n));
  const url = (host: string, port: number) => `http://${host}:${port}`;
  const initialCluster = specs
    .map((n) => `${n.name}=${url(places.get(n.name)!.advertiseHost, places.get(n.name)!.peerPort)}`)
    .join(",");
  // Unique per run, so members of another run can never join this cluster.
  const token = `faultline-${process.pid}-${Date.now().toString(36)}`;
  const members = new Map<string, ServerNode>();
  for (const spec of specs) {
    const p = places.get(spec.name)!;
    const args = [
      "--name",
      spec.name,
      "--data-dir",
      runner.dataDir(spec),
      "--listen-client-urls",
      url(p.listenHost, p.clientPort),
      "--advertise-client-urls",
      url(p.advertiseHost, p.clientPort),
      "--listen-peer-urls",
      url(p.listenHost, p.peerPort),
      "--initial-advertise-peer-urls",
      url(p.advertiseHost, p.peerPort),
      "--initial-cluster",
      initialCluster,
      "--initial-cluster-state",
      "new",
      "--initial-cluster-token",
      token,
      // Sub-second failure detection, as in a region-spanning deployment tuned for tests.
      "--heartbeat-interval",
      "100",
      "--election-timeout",
      "1000",
      "--logger",
      "zap",
      "--log-outputs",
      "stderr",
    ];
    // Ready: the member answers on its client URL (with or without a leader, so a member
    // restarted inside a partition counts as started).
    members.set(
      spec.name,
      runner.make(spec, args, async (address) => void (await memberStatus(address))),
    );
  }
  const all = [...members.values()];
  const stop = async () => void (await Promise.all(all.map((m) => m.stop().catch(() => {}))));
  try {
    // All at once: a member of a new cluster waits for the others before it can answer.
    await Promise.all(all.map((m) => m.start()));
    await waitForLeader(all);
  } catch (err) {
    await stop();
    throw err;
  }
  ctx.log(`etcd: members ${specs.map((n) => n.name).join(", ")} (one Raft group)`);
  return { members, stop };
}

async function waitForLeader(members: ServerNode[]): Promise<void> {
  const deadline = Date.now() + JOIN_TIMEOUT_MS;
  for (const m of members) {
    let last = "";
    for (;;) {
      try {
        const s = await memberStatus(m.address);
        if (s.leader !== "0") break;
        last = "it has no leader";
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline)
        throw new Error(
          `etcd member ${m.name} did not join the cluster within ${JOIN_TIMEOUT_MS} ms (${last}); see ${m.logFile}`,
        );
      await sleep(100);
    }
  }
}
