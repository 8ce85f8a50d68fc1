/**
 * pg-async-replica: "active-active reads, single-writer writes". The primary lives in us-east, an
 * asynchronous streaming standby in eu-west. Writes and compare-and-set go to the primary (a
 * cross-region hop for eu-west's clients); reads go to the client's local node. While the
 * replication link is cut, eu-west keeps serving reads of an ever older past: stale reads, so the
 * register is not linearizable. Acknowledged writes are not lost (there is no failover).
 */
import type { TestConfig } from "../config.ts";
import { linkName, type LinkSpec, type NodeSpec, regionPairKey, type TopologySpec } from "../topology.ts";
import type { Scenario } from "./scenario.ts";
import { startPgPrimaryReplica } from "./pg-primary-replica.ts";

export const PRIMARY = "pg-us-east-1";
export const REPLICA = "pg-eu-west-1";

export function pgAsyncReplicaTopology(config: Pick<TestConfig, "latencyMs" | "jitterMs">): TopologySpec {
  const nodes: NodeSpec[] = [
    { name: PRIMARY, region: "us-east", store: "postgres", role: "primary" },
    { name: REPLICA, region: "eu-west", store: "postgres", role: "replica" },
  ];
  const client = (region: string, to: NodeSpec): LinkSpec => {
    const from = { kind: "clients", region } as const;
    return { name: linkName(from, to.name), kind: "client", from, to: to.name, toRegion: to.region };
  };
  const replicationFrom = { kind: "node", node: REPLICA, region: "eu-west" } as const;
  // Every region's clients can reach every node (a failover moves writes to the other region).
  const links: LinkSpec[] = [
    client("us-east", nodes[0]),
    client("us-east", nodes[1]),
    client("eu-west", nodes[1]),
    client("eu-west", nodes[0]),
    {
      name: linkName(replicationFrom, PRIMARY),
      kind: "replication",
      from: replicationFrom,
      to: PRIMARY,
      toRegion: "us-east",
    },
  ];
  return {
    regions: [{ name: "us-east" }, { name: "eu-west" }],
    nodes,
    links,
    latency: {
      [regionPairKey("us-east", "eu-west")]: { latencyMs: config.latencyMs, jitterMs: config.jitterMs },
    },
  };
}

export const pgAsyncReplica: Scenario = {
  name: "pg-async-replica",
  layout:
    "active-active reads, single-writer writes; async streaming replica in a second region, local reads",
  expected: "stale reads, not linearizable; no lost writes",
  expectedValid: false,
  implemented: true,
  workload: "register",
  topology: pgAsyncReplicaTopology,
  start: (env) => startPgPrimaryReplica(env, pgAsyncReplicaTopology(env.config), { synchronous: false }),
};

export const pgSyncReplica: Scenario = {
  name: "pg-sync-replica",
  layout:
    "as pg-async-replica, with synchronous_commit = remote_apply: a commit returns once the standby applied it",
  expected: "reads-after-writes hold; writes stall while partitioned",
  expectedValid: true,
  implemented: true,
  workload: "register",
  topology: pgAsyncReplicaTopology,
  start: (env) => startPgPrimaryReplica(env, pgAsyncReplicaTopology(env.config), { synchronous: true }),
};
