/**
 * The `raft` layout as a `StoreDeployment`: a client per process talking to the member routing
 * picks (through the client's proxy), the lag probe while the workload runs, the quiesce after
 * healing (one leader every member agrees on, every member applied up to its log), and every
 * member's own state read directly at the end.
 */
import type { FinalStates, NodeState } from "../../../checkers/divergence.ts";
import type { NodeAddress } from "../../backends/backend.ts";
import type { MetricsWriter } from "../../metrics-writer.ts";
import { sleep } from "../../sleep.ts";
import type { BoundClient, DeployedNode, Quiesced, StoreDeployment } from "../store-driver.ts";
import { GatewayClient } from "./gateway-client.ts";
import { startEtcdLagProbe } from "./lag-probe.ts";
import { memberStatus, type RaftCluster } from "./raft-cluster.ts";
import { etcdWorkload } from "./workload-clients.ts";

export class RaftDeployment implements StoreDeployment {
  readonly nodes: Map<string, DeployedNode>;

  constructor(
    private readonly cluster: RaftCluster,
    private readonly serializableReads: boolean,
  ) {
    this.nodes = new Map<string, DeployedNode>(cluster.members);
  }

  openClient(workload: string, address: (node: string) => NodeAddress, timeoutMs: number): BoundClient {
    const w = etcdWorkload(workload);
    const clients = new Map<string, GatewayClient>();
    const on = (node: string) => {
      let c = clients.get(node);
      if (!c) clients.set(node, (c = new GatewayClient(address(node), timeoutMs)));
      return c;
    };
    return {
      at: (node) => w.client(on(node), this.serializableReads),
      close: async () => {
        for (const c of clients.values()) c.close();
      },
    };
  }

  startProbes(metrics: MetricsWriter) {
    return startEtcdLagProbe(this.cluster.members, metrics);
  }

  async quiesce(timeoutMs: number): Promise<Quiesced> {
    const started = performance.now();
    let last = "";
    while (performance.now() - started < timeoutMs) {
      const r = await this.settled();
      if (r.ok)
        return { settled: true, detail: `${r.detail} after ${Math.round(performance.now() - started)} ms` };
      last = r.detail;
      await sleep(200);
    }
    return { settled: false, detail: `after ${timeoutMs} ms: ${last}` };
  }

  private async settled(): Promise<{ ok: boolean; detail: string }> {
    const statuses = new Map<string, Awaited<ReturnType<typeof memberStatus>>>();
    for (const [name, m] of this.cluster.members) {
      try {
        statuses.set(name, await memberStatus(m.address));
      } catch (err) {
        return { ok: false, detail: `${name}: ${(err as Error).message}` };
      }
    }
    const leaders = new Set([...statuses.values()].map((s) => s.leader));
    if (leaders.size !== 1 || leaders.has("0"))
      return { ok: false, detail: `members disagree on the leader (${[...leaders].join(", ")})` };
    const target = Math.max(...[...statuses.values()].map((s) => s.raftIndex));
    for (const [name, s] of statuses)
      if (s.raftAppliedIndex < target)
        return { ok: false, detail: `${name} applied ${s.raftAppliedIndex} of ${target}` };
    return { ok: true, detail: `every member agrees on the leader and applied the log up to ${target}` };
  }

  async readFinalState(workload: string): Promise<FinalStates> {
    const w = etcdWorkload(workload);
    const nodes = await Promise.all(
      [...this.cluster.members.values()].map(async (m): Promise<NodeState> => {
        const c = new GatewayClient(m.address, 10_000);
        try {
          return { node: m.name, region: m.spec.region, state: await w.readState(c) };
        } catch (err) {
          return { node: m.name, region: m.spec.region, error: (err as Error).message };
        } finally {
          c.close();
        }
      }),
    );
    return { nodes, groups: [[...this.cluster.members.keys()]] };
  }

  stop(): Promise<void> {
    return this.cluster.stop();
  }
}
