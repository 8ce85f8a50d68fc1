/**
 * Starts the `raft` layout on the local backend: one etcd member per node (role "peer"), every
 * member listening for peers and clients on its own address (its namespace's with `--net netns`),
 * the initial cluster named in full on each, so members find each other directly (packet-level
 * faults, not proxies). Resolves once every member reports a leader; a member that does not join
 * is named with the last lines of its log.
 */
import { chownSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { NodeAddress } from "../../backends/backend.ts";
import { allocatePort } from "../../backends/local/ports.ts";
import { resolveRunAs } from "../../backends/local/run-as.ts";
import { supervisor } from "../../backends/local/supervisor.ts";
import { createTempDir } from "../../backends/local/temp-dir.ts";
import { sleep } from "../../sleep.ts";
import type { DeployContext } from "../store-driver.ts";
import { SupervisedNode } from "../supervised-node.ts";
import { GatewayClient } from "./gateway-client.ts";

export interface RaftCluster {
  members: Map<string, SupervisedNode>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;
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

export async function startRaftCluster(ctx: DeployContext, etcd: string): Promise<RaftCluster> {
  const runAs = resolveRunAs();
  const work = createTempDir("etcd", runAs);
  const specs = ctx.topology.nodes;
  const ports = new Map<string, { client: number; peer: number; host: string }>();
  for (const n of specs)
    ports.set(n.name, {
      host: ctx.backend.placement(n.name).bindHost,
      client: await allocatePort(),
      peer: await allocatePort(),
    });
  const initialCluster = specs
    .map((n) => `${n.name}=http://${ports.get(n.name)!.host}:${ports.get(n.name)!.peer}`)
    .join(",");
  // Unique per run, so members of another run can never join this cluster.
  const token = `faultline-${process.pid}-${Date.now().toString(36)}`;
  const members = new Map<string, SupervisedNode>();
  for (const spec of specs) {
    const p = ports.get(spec.name)!;
    const dir = join(work, spec.name);
    mkdirSync(dir, { mode: 0o700 });
    if (runAs) chownSync(dir, runAs.uid, runAs.gid);
    const client = `http://${p.host}:${p.client}`;
    const peer = `http://${p.host}:${p.peer}`;
    const address = { host: p.host, port: p.client };
    members.set(
      spec.name,
      new SupervisedNode({
        spec,
        address,
        command: etcd,
        args: [
          "--name",
          spec.name,
          "--data-dir",
          join(dir, "data"),
          "--listen-client-urls",
          client,
          "--advertise-client-urls",
          client,
          "--listen-peer-urls",
          peer,
          "--initial-advertise-peer-urls",
          peer,
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
        ],
        cwd: dir,
        logFile: join(ctx.folder.logs, `${spec.name}.log`),
        runAs,
        netns: ctx.backend.placement(spec.name).netns,
        env: { ...ctx.nodeEnv(spec.name), ETCD_UNSUPPORTED_ARCH: process.arch === "x64" ? "" : process.arch },
        supervisor,
        // Ready: the member answers on its client URL (with or without a leader, so a member
        // restarted inside a partition counts as started).
        probe: async () => void (await memberStatus(address)),
        readyTimeoutMs: READY_TIMEOUT_MS,
      }),
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

async function waitForLeader(members: SupervisedNode[]): Promise<void> {
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
