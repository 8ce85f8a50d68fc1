/**
 * The usual PostgreSQL layout: one primary, streaming standbys. Where each standby streams from
 * is the caller's choice (`upstreamFor`), so the runner can put a proxy on the replication link.
 */
import type { Supervisor } from "../../backends/local/supervisor.ts";
import { synchronousStandbyNames } from "./pg-config.ts";
import { PostgresDeployment } from "./postgres-deployment.ts";
import type { PostgresNodeSpec, RunningPostgresNode, Upstream } from "./postgres-node.ts";
import type { PgTemplate } from "./template.ts";

export interface PrimaryWithStandbysOptions {
  /** The run folder (logs go to `<runDir>/logs/`). */
  runDir: string;
  primary: PostgresNodeSpec;
  standbys: PostgresNodeSpec[];
  /**
   * The host:port a standby's primary_conninfo should use, called once the primary runs (so its
   * port is known): e.g. create a proxy `pg-eu-west-1->pg-us-east-1` with upstream
   * `primary.host:primary.port` and return the proxy's listen address.
   */
  upstreamFor: (standby: PostgresNodeSpec, primary: RunningPostgresNode) => Upstream | Promise<Upstream>;
  /** Commits wait until this many standbys applied them (synchronous_commit = remote_apply). */
  synchronous?: { quorum: number };
  /** Wait until every standby streams before resolving. Default true. */
  waitStreaming?: boolean;
  readyTimeoutMs?: number;
  supervisor?: Supervisor;
  template?: PgTemplate;
}

export interface PrimaryWithStandbys {
  deployment: PostgresDeployment;
  primary: RunningPostgresNode;
  standbys: RunningPostgresNode[];
  /** Every node by name, for `FaultContext.nodes`. */
  nodes: Map<string, RunningPostgresNode>;
  /** Stops every node and removes the data dirs. */
  stop(): Promise<void>;
}

/** initdb once, start the primary, then each standby from a copy of the same template. */
export async function startPrimaryWithStandbys(
  opts: PrimaryWithStandbysOptions,
): Promise<PrimaryWithStandbys> {
  const deployment = await PostgresDeployment.prepare({
    runDir: opts.runDir,
    supervisor: opts.supervisor,
    readyTimeoutMs: opts.readyTimeoutMs,
    template: opts.template,
  });
  try {
    const primarySpec: PostgresNodeSpec = opts.synchronous
      ? {
          ...opts.primary,
          settings: {
            synchronous_standby_names: synchronousStandbyNames(
              opts.standbys.map((s) => s.node.name),
              opts.synchronous.quorum,
            ),
            synchronous_commit: "remote_apply",
            ...opts.primary.settings,
          },
        }
      : opts.primary;
    const primary = await deployment.startNode(primarySpec);
    const standbys = await Promise.all(
      opts.standbys.map(async (spec) => deployment.startNode(spec, await opts.upstreamFor(spec, primary))),
    );
    if (opts.waitStreaming ?? true) await Promise.all(standbys.map((s) => s.waitStreaming(60_000)));
    const nodes = new Map<string, RunningPostgresNode>([primary, ...standbys].map((n) => [n.name, n]));
    return { deployment, primary, standbys, nodes, stop: () => deployment.stop() };
  } catch (err) {
    await deployment.stop().catch(() => {});
    throw err;
  }
}
