/**
 * The Redis store driver (Redis 7 and Sentinel from Debian's packages: on this machine for the
 * local backend, in the base image for the docker backend). Layout:
 * - `sentinel`: the master (role "primary") in one region, replicas (role "replica") in others,
 *   and three or more Sentinels (role "sentinel") spread over the regions. Clients find the master
 *   through the Sentinels (ioredis) and follow its failovers; reads go to the routed node.
 *
 * Replicas, masters and Sentinels learn each other's addresses from each other, so node-to-node
 * faults are packet-level (`--net netns` locally, iptables in the containers on docker); client
 * links go through the proxies. Clock faults are
 * refused: redis-server hangs under libfaketime.
 * Store options: see sentinel-options.ts (`minReplicasToWrite`, `wait`, Sentinel timings).
 */
import { isDockerBackend } from "../../backends/docker/factory.ts";
import type { DeployContext, StoreDriver, StorePlan } from "../store-driver.ts";
import { packetPartitionVeto, refusedFaultProblems } from "../store-fault-vetoes.ts";
import { findRedisBinaries } from "./binaries.ts";
import { localRedisNodes } from "./local-redis-nodes.ts";
import { type RedisNodeRunner, startSentinelCluster } from "./sentinel-cluster.ts";
import { SentinelDeployment } from "./sentinel-deployment.ts";
import { SentinelOptionsSchema } from "./sentinel-options.ts";
import { REDIS_WORKLOADS } from "./workload-clients.ts";

function layoutProblems(plan: StorePlan): string[] {
  const problems: string[] = [];
  if (plan.layout.kind !== "sentinel") return [`Redis has no layout '${plan.layout.kind}' (has: sentinel)`];
  const count = (role: string) => plan.layout.nodes.filter((n) => n.role === role).length;
  if (count("primary") !== 1)
    problems.push("layout sentinel needs exactly one node with role 'primary' (the master)");
  if (count("replica") < 1) problems.push("layout sentinel needs at least one node with role 'replica'");
  if (count("sentinel") < 3)
    problems.push(
      `layout sentinel needs three or more nodes with role 'sentinel' (has ${count("sentinel")})`,
    );
  const other = plan.layout.nodes.filter((n) => !["primary", "replica", "sentinel"].includes(n.role));
  for (const n of other)
    problems.push(`layout sentinel: node ${n.name} has role '${n.role}' (use primary, replica or sentinel)`);
  const opts = SentinelOptionsSchema.safeParse(plan.options);
  if (!opts.success)
    problems.push(...opts.error.issues.map((i) => `storeOptions.${i.path.join(".")}: ${i.message}`));
  else if (opts.data.minReplicasToWrite > count("replica"))
    problems.push(
      `storeOptions.minReplicasToWrite: ${opts.data.minReplicasToWrite} is more than the ${count("replica")} replica(s): no write could succeed`,
    );
  return problems;
}

/** Faults Redis cannot take, with the reason. */
const REDIS_REFUSED_FAULTS = {
  clock: "redis-server hangs under libfaketime, which clock faults need",
  failover:
    "the Sentinels, not faultline, promote a replica (cut the master off instead: isolate-master-region)",
};

export const redisDriver: StoreDriver = {
  name: "redis",
  description: "Redis 7 with Sentinel (Debian's redis-server and redis-sentinel), clients through ioredis",
  layouts: ["sentinel"],
  workloads: Object.keys(REDIS_WORKLOADS),
  backends: ["local", "docker"],
  peerFaults: "packet",
  refusedFaults: REDIS_REFUSED_FAULTS,
  peerLinks: () => [],
  async preflight(plan) {
    const problems = layoutProblems(plan);
    if (!REDIS_WORKLOADS[plan.workload])
      problems.push(
        `Redis has no client for workload '${plan.workload}' (has: ${Object.keys(REDIS_WORKLOADS).join(", ")})`,
      );
    if (plan.backend !== "local" && plan.backend !== "docker")
      problems.push(`Redis cannot run on backend '${plan.backend}' yet (can: local, docker)`);
    if (plan.backend === "local") problems.push(...findRedisBinaries().problems);
    problems.push(...refusedFaultProblems(plan, "Redis", REDIS_REFUSED_FAULTS));
    problems.push(...packetPartitionVeto(plan, "Redis Sentinel"));
    return problems;
  },
  async deploy(ctx) {
    const options = SentinelOptionsSchema.parse(ctx.options);
    const cluster = await startSentinelCluster(ctx, await nodeRunner(ctx), options);
    const deployment = new SentinelDeployment(cluster, options, ctx.folder.dir);
    try {
      await deployment.watchFailovers();
    } catch (err) {
      await deployment.stop();
      throw err;
    }
    return deployment;
  },
};

/** How this run's servers are started: processes here, or containers of the base image. */
async function nodeRunner(ctx: DeployContext): Promise<RedisNodeRunner> {
  if (isDockerBackend(ctx.backend)) {
    const { ensureBaseImage } = await import("../../backends/docker/images.ts");
    const { containerRedisNodes } = await import("./container-redis-nodes.ts");
    const image = await ensureBaseImage((m) => ctx.log(m));
    ctx.log(`starting Redis and Sentinels in containers (${image})`);
    return containerRedisNodes(ctx, ctx.backend, image);
  }
  const { binaries, problems } = findRedisBinaries();
  if (!binaries) throw new Error(problems.join("; "));
  return localRedisNodes(ctx, binaries);
}
