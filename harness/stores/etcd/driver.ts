/**
 * The etcd store driver (etcd 3.4 from Debian's etcd-server: on this machine for the local
 * backend, in the base image for the docker backend). Layout:
 * - `raft`: one member (role "peer") per node, typically one per region, one Raft group.
 *
 * Clients speak etcd's v3 API through its HTTP/JSON gateway (gateway-client.ts). Reads are
 * linearizable unless the scenario sets `storeOptions.reads: "serializable"` (served by the member
 * from its own state: fast, maybe stale). Members dial each other at their advertised peer URLs,
 * so node-to-node faults are packet-level (`--net netns` locally, iptables in the containers on
 * docker). Clock faults are refused: etcd is a Go
 * program and reads the clock without libc, so libfaketime cannot move it.
 */
import { z } from "zod";
import { isDockerBackend } from "../../backends/docker/factory.ts";
import type { DeployContext, StoreDriver, StorePlan } from "../store-driver.ts";
import { packetPartitionVeto, refusedFaultProblems } from "../store-fault-vetoes.ts";
import { findEtcd } from "./binaries.ts";
import { localEtcdMembers } from "./local-etcd-members.ts";
import { type EtcdMemberRunner, startRaftCluster } from "./raft-cluster.ts";
import { RaftDeployment } from "./raft-deployment.ts";
import { ETCD_WORKLOADS } from "./workload-clients.ts";

const RaftOptions = z
  .object({
    /** linearizable: reads go through Raft (a quorum); serializable: the member answers alone. */
    reads: z.enum(["linearizable", "serializable"]).default("linearizable"),
  })
  .strict();

function layoutProblems(plan: StorePlan): string[] {
  if (plan.layout.kind !== "raft") return [`etcd has no layout '${plan.layout.kind}' (has: raft)`];
  const problems: string[] = [];
  const nodes = plan.layout.nodes;
  if (nodes.length < 1) problems.push("layout raft needs at least one member");
  for (const n of nodes)
    if (n.role !== "peer")
      problems.push(`layout raft: node ${n.name} has role '${n.role}' (etcd members are 'peer')`);
  const opts = RaftOptions.safeParse(plan.options);
  if (!opts.success)
    problems.push(...opts.error.issues.map((i) => `storeOptions.${i.path.join(".")}: ${i.message}`));
  return problems;
}

/** Faults etcd cannot take, with the reason. */
const ETCD_REFUSED_FAULTS = {
  clock: "etcd is a Go program that reads the clock without libc, so libfaketime cannot skew it",
};

export const etcdDriver: StoreDriver = {
  name: "etcd",
  description:
    "etcd 3.4 (Debian's etcd-server), one Raft member per region, clients through its HTTP/JSON gateway",
  layouts: ["raft"],
  workloads: Object.keys(ETCD_WORKLOADS),
  backends: ["local", "docker"],
  peerFaults: "packet",
  refusedFaults: ETCD_REFUSED_FAULTS,
  peerLinks: () => [],
  async preflight(plan) {
    const problems = layoutProblems(plan);
    if (!ETCD_WORKLOADS[plan.workload])
      problems.push(
        `etcd has no client for workload '${plan.workload}' (has: ${Object.keys(ETCD_WORKLOADS).join(", ")})`,
      );
    if (plan.backend !== "local" && plan.backend !== "docker")
      problems.push(`etcd cannot run on backend '${plan.backend}' yet (can: local, docker)`);
    if (plan.backend === "local") problems.push(...findEtcd().problems);
    problems.push(...refusedFaultProblems(plan, "etcd", ETCD_REFUSED_FAULTS));
    problems.push(...packetPartitionVeto(plan, "etcd"));
    return problems;
  },
  async deploy(ctx) {
    const options = RaftOptions.parse(ctx.options);
    const cluster = await startRaftCluster(ctx, await memberRunner(ctx));
    return new RaftDeployment(cluster, options.reads === "serializable");
  },
};

/** How this run's members are started: processes here, or containers of the base image. */
async function memberRunner(ctx: DeployContext): Promise<EtcdMemberRunner> {
  if (isDockerBackend(ctx.backend)) {
    const { ensureBaseImage } = await import("../../backends/docker/images.ts");
    const { containerEtcdMembers } = await import("./container-etcd-members.ts");
    const image = await ensureBaseImage((m) => ctx.log(m));
    ctx.log(`starting etcd members in containers (${image})`);
    return containerEtcdMembers(ctx, ctx.backend, image);
  }
  const { etcd, problems } = findEtcd();
  if (!etcd) throw new Error(problems.join("; "));
  return localEtcdMembers(ctx, etcd);
}
