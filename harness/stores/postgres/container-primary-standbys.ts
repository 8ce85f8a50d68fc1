/**
 * PostgreSQL's primary + streaming standbys layout on container nodes (the docker backend's and
 * the compose layout's) as a `StoreDeployment`: clients through the proxied addresses, lag probes
 * per standby, quiesce (standbys replay up to the primary's WAL position), final-state reads.
 */
import type { MetricsWriter } from "../../metrics-writer.ts";
import { sleep } from "../../sleep.ts";
import type { BoundClient, DeployedNode, Quiesced, StoreDeployment } from "../store-driver.ts";
import type { ContainerPostgresNode } from "./container-postgres-node.ts";
import { NodeConnections } from "./node-connections.ts";
import type { RunningPostgresNode } from "./postgres-node.ts";
import { readFinalStates } from "./primary-standbys-deployment.ts";
import { startLagProbe } from "./replication-lag-probe.ts";
import { pgWorkload } from "./workload-tables.ts";

/**
 * The local layout helpers take RunningPostgresNode but use only name, role, spec and query,
 * which a container node has alike.
 */
export const asPgNodes = (nodes: ContainerPostgresNode[]) => nodes as unknown as RunningPostgresNode[];

export class ContainerPrimaryStandbys implements StoreDeployment {
  readonly nodes: Map<string, DeployedNode>;

  constructor(
    private readonly primary: ContainerPostgresNode,
    private readonly all: ContainerPostgresNode[],
    /** What stopping means: the docker backend stops its servers; compose leaves its layout running. */
    private readonly onStop: () => Promise<void>,
  ) {
    this.nodes = new Map(
      all.map((n) => [n.name, Object.assign(n, { address: { host: n.host, port: n.port } })]),
    );
  }

  private node(name: string): ContainerPostgresNode {
    const n = this.all.find((x) => x.name === name);
    if (!n) throw new Error(`no PostgreSQL node named ${name}`);
    return n;
  }

  openClient(
    workload: string,
    address: (node: string) => { host: string; port: number },
    timeoutMs: number,
  ): BoundClient {
    const table = pgWorkload(workload);
    const connections = new NodeConnections((node) => {
      const a = address(node);
      return this.node(node).connectionVia(a.host, a.port);
    }, timeoutMs);
    return { at: (node) => table.client(connections.on(node)), close: async () => connections.close() };
  }

  startProbes(metrics: MetricsWriter) {
    const probes = this.all
      .filter((n) => n !== this.primary)
      .map((s) =>
        startLagProbe(
          {
            primary: this.primary.connection,
            standby: s.connection,
            from: this.primary.spec.region,
            to: s.spec.region,
          },
          metrics,
        ),
      );
    return { stop: async () => void (await Promise.all(probes.map((p) => p.stop()))) };
  }

  async quiesce(timeoutMs: number): Promise<Quiesced> {
    const standbys = this.all.filter((n) => n !== this.primary && n.role === "standby");
    if (standbys.length === 0) return { settled: true, detail: "no standby follows a primary" };
    const started = performance.now();
    let target: string;
    try {
      const r = await this.primary.query<{ lsn: string }>(
        "SELECT pg_current_wal_lsn()::text AS lsn",
        [],
        5_000,
      );
      target = r.rows[0]!.lsn;
    } catch (err) {
      return {
        settled: false,
        detail: `cannot read ${this.primary.name}'s WAL position: ${(err as Error).message}`,
      };
    }
    const behind = new Set(standbys.map((s) => s.name));
    let last = "";
    while (behind.size > 0 && performance.now() - started < timeoutMs) {
      for (const s of standbys.filter((x) => behind.has(x.name))) {
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
      ? { settled: true, detail: `standbys replayed ${this.primary.name}'s WAL up to ${target} in ${ms} ms` }
      : { settled: false, detail: `after ${ms} ms still behind ${this.primary.name}'s ${target}: ${last}` };
  }

  readFinalState(workload: string) {
    return readFinalStates(asPgNodes(this.all), workload);
  }

  async stop(): Promise<void> {
    await this.onStop();
  }
}
