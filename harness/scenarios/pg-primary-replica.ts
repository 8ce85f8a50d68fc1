/**
 * Starts the PostgreSQL primary + standby layouts (pg-async-replica, pg-sync-replica): nodes from
 * the local backend, a proxy on every link, the register schema, probes and checkers.
 */
import type { RegionName, TopologySpec } from "../topology.ts";
import { createLinks, deleteLinks, findLink } from "../links.ts";
import { applyBaseLatency } from "../nemesis/link-faults.ts";
import { startPrimaryWithStandbys } from "../stores/postgres/primary-with-standbys.ts";
import type { RunningPostgresNode } from "../stores/postgres/postgres-node.ts";
import { PgRegisterClient, REGISTER_SCHEMA } from "../stores/postgres/register-client.ts";
import { PROBE_SCHEMA, startLagProbe } from "../stores/postgres/replication-lag-probe.ts";
import type { RunningLink } from "../topology.ts";
import type { ProcessClient, RunningScenario, ScenarioEnv } from "./scenario.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startPgPrimaryReplica(
  env: ScenarioEnv,
  topology: TopologySpec,
  opts: { synchronous: boolean },
): Promise<RunningScenario> {
  const primarySpec = topology.nodes.find((n) => n.role === "primary")!;
  const replicaSpecs = topology.nodes.filter((n) => n.role === "replica");
  const links: RunningLink[] = [];

  env.log(
    `starting PostgreSQL: primary ${primarySpec.name}, standby ${replicaSpecs.map((n) => n.name).join(", ")}`,
  );
  const cluster = await startPrimaryWithStandbys({
    runDir: env.folder.dir,
    primary: { node: primarySpec, env: env.nodeEnv(primarySpec.name) },
    standbys: replicaSpecs.map((node) => ({ node, env: env.nodeEnv(node.name) })),
    // Each standby streams through the proxy of its replication link, so faults can cut it.
    upstreamFor: async (standby, primary) => {
      const spec = topology.links.find(
        (l) => l.kind === "replication" && l.from.kind === "node" && l.from.node === standby.node.name,
      );
      if (!spec) throw new Error(`topology has no replication link from ${standby.node.name}`);
      const [link] = await createLinks(env.proxyUrl, [spec], () => primary);
      links.push(link);
      return { host: link.listenHost, port: link.listenPort };
    },
    synchronous: opts.synchronous ? { quorum: 1 } : undefined,
  });

  const stopAll = async () => {
    await deleteLinks(env.proxyUrl, links);
    await cluster.stop();
  };

  try {
    const node = (name: string): RunningPostgresNode => {
      const n = cluster.nodes.get(name);
      if (!n) throw new Error(`no node ${name}`);
      return n;
    };
    links.push(
      ...(await createLinks(
        env.proxyUrl,
        topology.links.filter((l) => l.kind === "client"),
        node,
      )),
    );
    const delayed = await applyBaseLatency({ proxyUrl: env.proxyUrl, topology, links });
    env.log(`${links.length} proxied links, ${delayed} with cross-region latency`);

    await cluster.primary.query(REGISTER_SCHEMA);
    await cluster.primary.query(PROBE_SCHEMA);
    await waitForTable(cluster.standbys, "registers");

    const endpointFor = (region: RegionName) => (nodeName: string) => {
      const link = findLink(links, `client@${region}->${nodeName}`);
      return node(nodeName).connectionVia(link.listenHost, link.listenPort);
    };

    return {
      links,
      nodes: new Map(cluster.nodes),
      openClient(region: RegionName, process: number): ProcessClient {
        // The node is decided once per op (the router may move while it runs) and the op goes there.
        let pinned: string | undefined;
        const route = {
          read: () => pinned ?? env.router.readTarget(process, region),
          write: () => pinned ?? env.router.writeTarget(process, region),
        };
        return {
          client: new PgRegisterClient(endpointFor(region), route, env.config.opTimeoutMs),
          nodeFor: (op) => {
            pinned = undefined;
            pinned = op.f === "read" ? route.read() : route.write();
            return pinned;
          },
        };
      },
      checkers: opts.synchronous
        ? // remote_apply promises that a session reads its own writes, not linearizability: a read on
          // the primary can still miss a commit the standby already shows, until the ack arrives.
          [{ name: "session", options: {} }]
        : [
            {
              name: "linearizable",
              // Every key is checked, so the report shows each stale read, not just the first.
              options: { model: "cas-register", initial: null, allKeys: true, timeLimitMs: env.config.checkTimeLimitS * 1000 },
            },
            { name: "session", options: {} },
          ],
      startProbes(metrics) {
        const probes = cluster.standbys.map((s) =>
          startLagProbe(
            {
              primary: cluster.primary.connection,
              standby: s.connection,
              from: primarySpec.region,
              to: s.spec.region,
            },
            metrics,
          ),
        );
        return { stop: async () => void (await Promise.all(probes.map((p) => p.stop()))) };
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }
}

/** The schema reaches standbys by replication; clients must not start before it has. */
async function waitForTable(
  standbys: RunningPostgresNode[],
  table: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (const s of standbys) {
    for (;;) {
      const r = await s.query("SELECT to_regclass($1) IS NOT NULL AS present", [table]);
      if (r.rows[0]?.present) break;
      if (performance.now() > deadline)
        throw new Error(`table ${table} did not replicate to ${s.name} within ${timeoutMs} ms`);
      await sleep(100);
    }
  }
}
