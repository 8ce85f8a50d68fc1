/**
 * Starts the PostgreSQL primary + standby layouts (pg-async-replica, pg-sync-replica, pg-failover):
 * nodes from the local backend, a proxy on every link, the workload's schema and client, probes,
 * checkers, the quiesce after healing (standbys replay up to the primary's WAL position) and the
 * final-state reads (every node, directly).
 */
import type { FinalStates, NodeState } from "../../checkers/divergence.ts";
import type { Random } from "../../workloads/random.ts";
import { registerWorkload } from "../../workloads/register.ts";
import { setWorkload } from "../../workloads/set.ts";
import type { RegionName, TopologySpec } from "../topology.ts";
import { createLinks, deleteLinks, findLink } from "../links.ts";
import { applyBaseLatency } from "../nemesis/link-faults.ts";
import { startPrimaryWithStandbys } from "../stores/postgres/primary-with-standbys.ts";
import type { RunningPostgresNode } from "../stores/postgres/postgres-node.ts";
import { PgRegisterClient, REGISTER_SCHEMA } from "../stores/postgres/register-client.ts";
import { PROBE_SCHEMA, startLagProbe } from "../stores/postgres/replication-lag-probe.ts";
import { PgSetClient, SET_SCHEMA, SET_STATE_QUERY } from "../stores/postgres/set-client.ts";
import type { RunningLink } from "../topology.ts";
import type { CheckerSpec } from "../check-history.ts";
import type { ProcessClient, Quiesced, RunningScenario, ScenarioEnv } from "./scenario.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface PgPrimaryReplicaOptions {
  /** Commits wait for the standby to apply them (remote_apply). */
  synchronous: boolean;
  /** The workload clients run. Default register. */
  workload?: "register" | "set";
  /** Where reads go: the client's region's node (default), or wherever the process writes. */
  reads?: "local" | "primary";
  /** Checkers over the history; default: what the register layouts need (see below). */
  checkers?: CheckerSpec[];
}

/** Per workload: its table, and the query that reads a node's whole state as (key, value) rows. */
const TABLES = {
  register: {
    schema: REGISTER_SCHEMA,
    table: "registers",
    stateQuery: "SELECT key, value FROM registers",
    value: (v: unknown) => Number(v),
  },
  set: {
    schema: SET_SCHEMA,
    table: "set_elements",
    stateQuery: SET_STATE_QUERY,
    // bigint[] arrives as strings
    value: (v: unknown) => (v as unknown[]).map(Number),
  },
} as const;

export async function startPgPrimaryReplica(
  env: ScenarioEnv,
  topology: TopologySpec,
  opts: PgPrimaryReplicaOptions,
): Promise<RunningScenario> {
  const workloadName = opts.workload ?? "register";
  const table = TABLES[workloadName];
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

    await cluster.primary.query(table.schema);
    await cluster.primary.query(PROBE_SCHEMA);
    await waitForTable(cluster.standbys, table.table);

    const endpointFor = (region: RegionName) => (nodeName: string) => {
      const link = findLink(links, `client@${region}->${nodeName}`);
      return node(nodeName).connectionVia(link.listenHost, link.listenPort);
    };

    const openRoute = (region: RegionName, process: number) => {
      // The node is decided once per op (the router may move while it runs) and the op goes there.
      let pinned: string | undefined;
      const route = {
        read: () =>
          pinned ??
          (opts.reads === "primary"
            ? env.router.writeTarget(process, region)
            : env.router.readTarget(process, region)),
        write: () => pinned ?? env.router.writeTarget(process, region),
      };
      const nodeFor = (op: { f: string }) => {
        pinned = undefined;
        pinned = op.f === "read" ? route.read() : route.write();
        return pinned;
      };
      return { route, nodeFor };
    };
    const timeoutMs = env.config.opTimeoutMs;
    const clientsAndWorkload =
      workloadName === "set"
        ? {
            workload: (random: Random) => setWorkload(random, { keys: env.config.keysInFlight }),
            openClient(region: RegionName, process: number): ProcessClient {
              const { route, nodeFor } = openRoute(region, process);
              return { client: new PgSetClient(endpointFor(region), route, timeoutMs), nodeFor };
            },
          }
        : {
            workload: (random: Random) =>
              registerWorkload(random, {
                opsPerKey: env.config.opsPerKey,
                keysInFlight: env.config.keysInFlight,
              }),
            openClient(region: RegionName, process: number): ProcessClient {
              const { route, nodeFor } = openRoute(region, process);
              return { client: new PgRegisterClient(endpointFor(region), route, timeoutMs), nodeFor };
            },
          };

    return {
      links,
      nodes: new Map(cluster.nodes),
      ...clientsAndWorkload,
      quiesce: (ms) => quiesceStandbys(cluster.primary, [...cluster.nodes.values()], ms),
      readFinalState: () => readFinalStates([...cluster.nodes.values()], table),
      checkers:
        opts.checkers ??
        (opts.synchronous
          ? // remote_apply promises that a session reads its own writes, not linearizability: a read on
            // the primary can still miss a commit the standby already shows, until the ack arrives.
            [{ name: "session", options: {} }]
          : [
              {
                name: "linearizable",
                // Every key is checked, so the report shows each stale read, not just the first.
                options: {
                  model: "cas-register",
                  initial: null,
                  allKeys: true,
                  timeLimitMs: env.config.checkTimeLimitS * 1000,
                },
              },
              { name: "session", options: {} },
            ]),
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

/**
 * Waits until every node that is still a standby has replayed the primary's WAL up to where the
 * primary is now. Promoted nodes (after a failover) follow nobody and are not waited for.
 */
async function quiesceStandbys(
  primary: RunningPostgresNode,
  nodes: RunningPostgresNode[],
  timeoutMs: number,
): Promise<Quiesced> {
  const standbys = nodes.filter((n) => n !== primary && n.role === "standby");
  if (standbys.length === 0) return { settled: true, detail: "no standby follows a primary" };
  const started = performance.now();
  const deadline = started + timeoutMs;
  let target: string;
  try {
    const r = await primary.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn", [], 5_000);
    target = r.rows[0]!.lsn;
  } catch (err) {
    return {
      settled: false,
      detail: `cannot read ${primary.name}'s WAL position: ${(err as Error).message}`,
    };
  }
  const behind = new Set(standbys.map((s) => s.name));
  let last = "";
  while (behind.size > 0 && performance.now() < deadline) {
    for (const s of standbys) {
      if (!behind.has(s.name)) continue;
      try {
        const r = await s.query<{ done: boolean; at: string | null }>(
          "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done, pg_last_wal_replay_lsn()::text AS at",
          [target],
          5_000,
        );
        if (r.rows[0]?.done) behind.delete(s.name);
        else last = `${s.name} at ${r.rows[0]?.at ?? "nothing replayed"}`;
      } catch (err) {
        last = `${s.name}: ${(err as Error).message}`;
      }
    }
    if (behind.size > 0) await sleep(100);
  }
  const ms = Math.round(performance.now() - started);
  return behind.size === 0
    ? {
        settled: true,
        detail: `${standbys.map((s) => s.name).join(", ")} replayed ${primary.name}'s WAL up to ${target} in ${ms} ms`,
      }
    : { settled: false, detail: `after ${ms} ms still behind ${primary.name}'s ${target}: ${last}` };
}

/** Every node's whole table, read straight from the node (no proxy); one group: they are one database. */
async function readFinalStates(
  nodes: RunningPostgresNode[],
  table: (typeof TABLES)[keyof typeof TABLES],
): Promise<FinalStates> {
  const states = await Promise.all(
    nodes.map(async (n): Promise<NodeState> => {
      try {
        const r = await n.query<{ key: string; value: unknown }>(table.stateQuery, [], 10_000);
        const state: Record<string, unknown> = {};
        for (const row of r.rows) state[String(row.key)] = table.value(row.value);
        return { node: n.name, region: n.spec.region, state };
      } catch (err) {
        return { node: n.name, region: n.spec.region, error: (err as Error).message };
      }
    }),
  );
  return { nodes: states, groups: [nodes.map((n) => n.name)] };
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
