/**
 * PostgreSQL on the compose backend: the layout's services are already running (docker compose
 * up -d); this attaches to them (superuser password from FAULTLINE_PG_PASSWORD, as the compose
 * file sets it, default "faultline"), checks that the layout is still the one the scenario
 * describes (an earlier failover run promotes the standby for good), gives the run fresh workload
 * tables, and hands back the container layout deployment. Stopping leaves the layout running:
 * paused nodes are resumed and killed ones started again, so the next run finds it whole.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { isComposeBackend } from "../../backends/compose/compose-backend.ts";
import { RunningNodeContainer } from "../../backends/docker/node-container.ts";
import { sleep } from "../../sleep.ts";
import type { DeployContext, StoreDeployment } from "../store-driver.ts";
import { ContainerPostgresNode } from "./container-postgres-node.ts";
import { PG_BACKENDS, type PgLayout } from "./driver.ts";
import { PrimaryStandbysDeployment } from "./primary-standbys-deployment.ts";
import { PROBE_SCHEMA } from "./replication-lag-probe.ts";
import { pgWorkload } from "./workload-tables.ts";

const READY_TIMEOUT_MS = 60_000;
const RESET = "docker compose down && docker compose up -d (or docker-compose)";

/** Waits until every standby has replayed the primary's WAL as of now (the fresh tables). */
async function waitReplayed(
  primary: ContainerPostgresNode,
  standbys: ContainerPostgresNode[],
): Promise<void> {
  const r = await primary.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn");
  const target = r.rows[0]!.lsn;
  const deadline = performance.now() + 30_000;
  for (const s of standbys) {
    for (;;) {
      const q = await s.query<{ done: boolean }>("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done", [
        target,
      ]);
      if (q.rows[0]?.done) break;
      if (performance.now() > deadline)
        throw new Error(
          `${s.name} did not replay ${primary.name}'s WAL up to ${target} within 30 s (is it streaming?)`,
        );
      await sleep(100);
    }
  }
}

async function deployOnCompose(ctx: DeployContext, _layout: PgLayout): Promise<StoreDeployment> {
  const backend = ctx.backend;
  if (!isComposeBackend(backend))
    throw new Error(`PostgreSQL on compose needs the compose backend, got ${backend.name}`);
  if (ctx.layout.kind !== "primary-standbys")
    throw new Error(
      `PostgreSQL layout '${ctx.layout.kind}' cannot run on the compose layout (primary-standbys can)`,
    );
  const { layout } = backend;
  const password = process.env.FAULTLINE_PG_PASSWORD ?? "faultline";
  const logsDir = join(ctx.folder.dir, "logs");
  mkdirSync(logsDir, { recursive: true });

  const nodes: ContainerPostgresNode[] = [];
  for (const spec of ctx.topology.nodes) {
    const service = layout.nodes.find((n) => n.name === spec.name);
    if (!service) {
      throw new Error(
        `node ${spec.name} of the scenario is not in compose project ${layout.project} (it has ${layout.nodes.map((n) => n.name).join(", ")})`,
      );
    }
    const container = await RunningNodeContainer.attach(spec.name, service.containerId);
    await container.resume(); // a run interrupted mid-pause
    if (!(await container.running())) await container.startAgain();
    nodes.push(
      await ContainerPostgresNode.attach(container, spec, spec.role === "primary" ? "primary" : "standby", {
        password,
        readyTimeoutMs: READY_TIMEOUT_MS,
        logFile: join(logsDir, `${spec.name}.log`),
      }),
    );
  }
  const primary = nodes.find((n) => n.role === "primary")!;
  const standbys = nodes.filter((n) => n !== primary);
  for (const n of nodes) {
    const r = await n.query<{ recovery: boolean }>("SELECT pg_is_in_recovery() AS recovery");
    if (r.rows[0]!.recovery !== (n !== primary)) {
      throw new Error(
        `compose project ${layout.project}: ${n.name} should be a ${n === primary ? "primary" : "standby"} but is not ` +
          `(an earlier failover run promoted it?): reset the layout with \`${RESET}\``,
      );
    }
  }
  ctx.log(
    `attached to compose project ${layout.project}: primary ${primary.name}, standby ${standbys.map((s) => s.name).join(", ")}`,
  );

  // Fresh tables: an earlier run's values would be reads of values this run never wrote.
  const table = pgWorkload(ctx.workload);
  await primary.query(`DROP TABLE IF EXISTS ${table.table} CASCADE`);
  await primary.query("DROP TABLE IF EXISTS faultline_probes");
  await primary.query(table.schema);
  await primary.query(PROBE_SCHEMA);
  await waitReplayed(primary, standbys);

  return new PrimaryStandbysDeployment({
    primary,
    standbys,
    nodes: new Map(nodes.map((n) => [n.name, n])),
    // The layout stays up for the next run: thaw and restart what the faults left down.
    stop: async () => {
      for (const n of nodes) {
        await n.container.resume().catch(() => {});
        if (!(await n.container.running().catch(() => true))) await n.start().catch(() => {});
        await n.container.saveLogs(n.logFile);
      }
    },
  });
}

PG_BACKENDS.compose = deployOnCompose;
