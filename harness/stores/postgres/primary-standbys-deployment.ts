/**
 * The primary + streaming standbys layout as a `StoreDeployment`: clients on any node, probes of
 * replication lag per standby, the quiesce after healing (standbys replay up to the primary's WAL
 * position) and the final-state reads (every node, directly).
 */
import type { FinalStates, NodeState } from "../../../checkers/divergence.ts";
import type { MetricsWriter } from "../../metrics-writer.ts";
import { sleep } from "../../sleep.ts";
import type {
  BoundClient,
  DeployedNode,
  OpenClientOptions,
  Quiesced,
  StoreDeployment,
} from "../store-driver.ts";
import { NodeConnections } from "./node-connections.ts";
import type { PgNodeHandle } from "./pg-node-handle.ts";
import { startLagProbe } from "./replication-lag-probe.ts";
import { PgSessionToken } from "./session-token.ts";
import type { RegisterClient } from "../../../workloads/register.ts";
import type { RegionName } from "../../topology.ts";
import {
  CacheAsideRegisterClient,
  CacheConnections,
  type CacheOptions,
} from "./cache-aside-register-client.ts";
import type { RegionCaches } from "./region-caches.ts";
import { pgWorkload } from "./workload-tables.ts";

/** The nodes of the layout, whoever started them. */
export interface PgCluster {
  primary: PgNodeHandle;
  standbys: PgNodeHandle[];
  nodes: Map<string, PgNodeHandle>;
  stop(): Promise<void>;
}

export class PrimaryStandbysDeployment implements StoreDeployment {
  readonly nodes: Map<string, DeployedNode>;

  constructor(
    private readonly cluster: PgCluster,
    private readonly stopExtra: () => Promise<void> = async () => {},
    /** A cache tier per region the register clients read through (stale-cache scenarios). */
    private readonly cache?: CacheOptions & { caches: RegionCaches; regions: RegionName[] },
    opts: { fenceOldPrimary?: boolean } = {},
  ) {
    this.nodes = new Map(
      [...cluster.nodes].map(([name, n]) => [
        name,
        Object.assign(n, { address: { host: n.host, port: n.port } }),
      ]),
    );
    if (opts.fenceOldPrimary) this.fenceOnPromotion();
  }

  /** Nodes fenced off by a planned switchover: stopped, no longer part of the database. */
  private readonly retired = new Set<string>();

  /**
   * A planned switchover (`fenceOldPrimary`): promoting a standby first stops the primary it
   * followed (fencing it, as an operator or a cluster manager does), so nobody can write there and
   * the abandoned copy is not compared with the database any more. Without it the old primary
   * keeps running, which is the split brain pg-failover looks for.
   */
  private fenceOnPromotion(): void {
    const primary = this.cluster.primary;
    for (const s of this.cluster.standbys) {
      const promote = s.promote?.bind(s);
      if (!promote) continue;
      s.promote = async () => {
        if (!this.retired.has(primary.name)) {
          await primary.kill();
          this.retired.add(primary.name);
        }
        await promote();
      };
    }
  }

  openClient(
    workload: string,
    address: (node: string) => { host: string; port: number },
    timeoutMs: number,
    options: OpenClientOptions = {},
  ): BoundClient {
    const table = pgWorkload(workload);
    const connections = new NodeConnections((node) => {
      const a = address(node);
      const n = this.cluster.nodes.get(node);
      if (!n) throw new Error(`no PostgreSQL node ${node}`);
      return n.connectionVia(a.host, a.port);
    }, timeoutMs);
    const cache = this.cache;
    if (cache && workload === "register") {
      const caches = new CacheConnections(
        cache.regions,
        cache.caches.address,
        cache.caches.password,
        timeoutMs,
      );
      const region = options.region ?? (() => cache.regions[0]!);
      return {
        at: (node) =>
          new CacheAsideRegisterClient(
            table.client(connections.on(node)) as RegisterClient,
            caches,
            region,
            cache,
          ),
        close: async () => {
          connections.close();
          caches.close();
        },
      };
    }
    if (options.session && table.sessionTokens) {
      const token = new PgSessionToken((node) => connections.on(node));
      return {
        at: (node) => table.client(connections.on(node), { token, node }),
        close: async () => connections.close(),
        session: token,
      };
    }
    return { at: (node) => table.client(connections.on(node)), close: async () => connections.close() };
  }

  startProbes(metrics: MetricsWriter) {
    const { primary, standbys } = this.cluster;
    const probes = standbys.map((s) =>
      startLagProbe(
        { primary: primary.connection, standby: s.connection, from: primary.spec.region, to: s.spec.region },
        metrics,
      ),
    );
    return { stop: async () => void (await Promise.all(probes.map((p) => p.stop()))) };
  }

  quiesce(timeoutMs: number): Promise<Quiesced> {
    return quiesceStandbys(this.cluster.primary, [...this.cluster.nodes.values()], timeoutMs);
  }

  async readFinalState(workload: string): Promise<FinalStates> {
    const live = [...this.cluster.nodes.values()].filter((n) => !this.retired.has(n.name));
    const states = await readFinalStates(live, workload);
    // Fenced nodes are listed, but compared with nothing: they left the database on purpose.
    for (const name of this.retired) {
      const n = this.cluster.nodes.get(name)!;
      states.nodes.push({ node: name, region: n.spec.region, error: "fenced at the switchover (stopped)" });
    }
    return states;
  }

  async stop(): Promise<void> {
    await this.stopExtra();
    await this.cluster.stop();
  }
}

/**
 * Waits until every node that is still a standby has replayed the primary's WAL up to where the
 * primary is now. Promoted nodes (after a failover) follow nobody and are not waited for.
 */
async function quiesceStandbys(
  primary: PgNodeHandle,
  nodes: PgNodeHandle[],
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
export async function readFinalStates(nodes: PgNodeHandle[], workload: string): Promise<FinalStates> {
  const table = pgWorkload(workload);
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
export async function waitForTable(
  standbys: PgNodeHandle[],
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
