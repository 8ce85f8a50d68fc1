/**
 * PostgreSQL nodes faultline did not start (the external backend): reached at the addresses the
 * deployment file gives, with its credentials and TLS options; node faults only through the
 * file's hooks. The primary-standbys layout runs on them as on local nodes: the workload's schema
 * is created on the primary (CREATE TABLE IF NOT EXISTS, left in place afterwards so the data can
 * be inspected), clients go through the deployment's proxies, quiesce and final state read each
 * node directly. Nothing is stopped at the end.
 */
import type pg from "pg";
import { ExternalBackend } from "../../backends/external/external-backend.ts";
import type { NodeHooks } from "../../backends/external/deployment-file.ts";
import { splitHostPort } from "../../backends/external/deployment-file.ts";
import { runHook } from "../../backends/external/hooks.ts";
import type { NodeSpec } from "../../topology.ts";
import type { DeployContext, StoreDeployment } from "../store-driver.ts";
import { DATABASE, SUPERUSER } from "./pg-config.ts";
import type { PgNodeHandle } from "./pg-node-handle.ts";
import { pgQuery } from "./pg-query.ts";
import type { PgConnectionInfo } from "./postgres-node.ts";
import { PrimaryStandbysDeployment, waitForTable } from "./primary-standbys-deployment.ts";
import { PROBE_SCHEMA } from "./replication-lag-probe.ts";
import { pgWorkload } from "./workload-tables.ts";

export class ExternalPgNode implements PgNodeHandle {
  private currentRole: "primary" | "standby";

  constructor(
    readonly spec: NodeSpec,
    readonly connection: PgConnectionInfo,
    private readonly hooks: NodeHooks,
  ) {
    this.currentRole = spec.role === "primary" ? "primary" : "standby";
  }

  get name(): string {
    return this.spec.name;
  }
  get role(): "primary" | "standby" {
    return this.currentRole;
  }
  get host(): string {
    return this.connection.host;
  }
  get port(): number {
    return this.connection.port;
  }

  connectionVia(host: string, port: number): PgConnectionInfo {
    return { ...this.connection, host, port };
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    timeoutMs = 30_000,
  ) {
    return pgQuery<R>(this.connection, sql, params, timeoutMs);
  }

  kill = () => runHook(this.hooks, "kill", this.name);
  start = () => runHook(this.hooks, "start", this.name);
  pause = () => runHook(this.hooks, "pause", this.name);
  resume = () => runHook(this.hooks, "resume", this.name);
  promote = async () => {
    await runHook(this.hooks, "promote", this.name);
    this.currentRole = "primary";
  };
}

export async function deployOnExternal(ctx: DeployContext): Promise<StoreDeployment> {
  if (!(ctx.backend instanceof ExternalBackend)) throw new Error("not the external backend");
  if (ctx.layout.kind !== "primary-standbys")
    throw new Error(
      `PostgreSQL on the external backend runs the primary-standbys layout, not ${ctx.layout.kind}`,
    );
  const d = ctx.backend.deployment;
  const cred = ctx.backend.credentials();
  const nodes = new Map<string, ExternalPgNode>();
  for (const spec of ctx.topology.nodes) {
    const n = d.nodes.find((x) => x.name === spec.name)!;
    const { host, port } = splitHostPort(n.address);
    const connection: PgConnectionInfo = {
      host,
      port,
      user: cred.user ?? SUPERUSER,
      password: cred.password ?? "",
      database: cred.database ?? DATABASE,
      ...(cred.ssl ? { ssl: cred.ssl } : {}),
    };
    nodes.set(spec.name, new ExternalPgNode(spec, connection, n.hooks));
  }
  const all = [...nodes.values()];
  const primary = all.find((n) => n.role === "primary")!;
  const standbys = all.filter((n) => n !== primary);
  const table = pgWorkload(ctx.workload);
  ctx.log(
    `PostgreSQL deployment: primary ${primary.name} at ${primary.host}:${primary.port}, standby ${standbys.map((s) => s.name).join(", ") || "none"}`,
  );
  await primary.query(table.schema);
  await primary.query(PROBE_SCHEMA);
  await waitForTable(standbys, table.table);
  return new PrimaryStandbysDeployment({
    primary,
    standbys,
    nodes: new Map(nodes),
    stop: async () => {}, // not ours to stop
  });
}
