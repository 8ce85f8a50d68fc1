/**
 * A PostgreSQL server of the docker backend: the node's container runs the image's `postgres` on
 * a data dir that the harness made on this machine (a copy of the run's template, exactly as on
 * the local backend: a copy of one cleanly shut down data dir is a base backup for any standby)
 * and bind-mounts into the container. The container runs it as the same unprivileged uid that owns
 * the files here (PostgreSQL refuses root and checks the owner), with libfaketime preloaded on the
 * postgres process alone when the node's clock is faulted (the timestamp file's directory is
 * mounted at the same path, so the nemesis's rewrites reach it).
 *
 * Inside its container the server listens on every address of its own network namespace; only
 * the harness's machine can reach it (published on 127.0.0.1) and nodes reach each other through
 * the proxies. pg_hba admits password (SCRAM) logins from the container's own subnet only.
 *
 * A PgNodeHandle like the local backend's RunningPostgresNode, so the layout code treats both
 * alike; what it does over SQL (promote, re-point, ...) is their common StartedPgNode's.
 */
import { chownSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { DockerBackend } from "../../backends/docker/docker-backend.ts";
import type { RunningNodeContainer } from "../../backends/docker/node-container.ts";
import type { RunAs } from "../../backends/local/run-as.ts";
import type { NodeControl } from "../../nemesis/fault.ts";
import { sleep } from "../../sleep.ts";
import type { NodeSpec, RunningNode } from "../../topology.ts";
import {
  NODE_CONF,
  type PgSettings,
  primaryConninfo,
  REPLICATION_USER,
  renderSettings,
} from "./pg-config.ts";
import type { PgNodeHandle } from "./pg-node-handle.ts";
import type { PgRole, Upstream } from "./postgres-node.ts";
import { StartedPgNode } from "./started-pg-node.ts";
import { copyTemplate, type PgTemplate } from "./template.ts";

/** The port the server listens on inside its container. */
export const CONTAINER_PG_PORT = 5432;
/** Where the node's data dir is mounted inside the container. */
const CONTAINER_DATA_DIR = "/var/lib/faultline/pgdata";
/** libfaketime inside the image (Debian's path; the image contract names it). */
const CONTAINER_LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

export interface ContainerPostgresContext {
  backend: DockerBackend;
  image: string;
  template: PgTemplate;
  workDir: string;
  logsDir: string;
  readyTimeoutMs: number;
}

export interface ContainerPostgresSpec {
  node: NodeSpec;
  settings?: PgSettings;
  /** Fake-clock environment from the harness (libfaketime), for the postgres process only. */
  env?: Record<string, string>;
}

/** pg_hba for a container: SCRAM only, from the container's own subnet (the gateway and its peers). */
function containerHba(): string {
  return [
    "# faultline (docker backend): password (SCRAM) authentication only, own subnet only",
    "local   all          all                  scram-sha-256",
    "host    all          all          samenet scram-sha-256",
    `host    replication  ${REPLICATION_USER}   samenet scram-sha-256`,
    "",
  ].join("\n");
}

/**
 * The container's command: give the data dir owner's uid a passwd entry (PostgreSQL looks its
 * user up), then become that uid and exec postgres, so that postgres is PID 1 and `docker kill`
 * and `docker stop` reach it directly.
 */
function startCommand(uid: number, gid: number, fakeEnv: Record<string, string>): string[] {
  const envArgs = Object.entries(fakeEnv).map(([k, v]) => `${k}=${v}`);
  const script = [
    `getent passwd ${uid} >/dev/null || echo "faultline:x:${uid}:${gid}::/nonexistent:/usr/sbin/nologin" >> /etc/passwd`,
    `exec setpriv --reuid=${uid} --regid=${gid} --clear-groups env "$@"`,
  ].join("; ");
  return [
    "sh",
    "-c",
    script,
    "faultline-postgres",
    ...envArgs,
    "postgres",
    "-D",
    CONTAINER_DATA_DIR,
    "-p",
    String(CONTAINER_PG_PORT),
  ];
}

/** The node's fake-clock env as seen from inside the container (the library at the image's path). */
function containerClockEnv(env: Record<string, string> | undefined): {
  env: Record<string, string>;
  mountDir?: string;
} {
  if (!env?.FAKETIME_TIMESTAMP_FILE) return { env: {} };
  return {
    env: { ...env, LD_PRELOAD: CONTAINER_LIBFAKETIME },
    mountDir: dirname(env.FAKETIME_TIMESTAMP_FILE),
  };
}

export class ContainerPostgresNode extends StartedPgNode implements NodeControl, RunningNode, PgNodeHandle {
  readonly spec: NodeSpec;
  readonly host: string;
  readonly port: number;
  readonly logFile: string;
  /** The server runs in its container's pid namespace; the harness does not signal it directly. */
  readonly pid = undefined;

  private constructor(
    private readonly ctx: { password: string; readyTimeoutMs: number },
    readonly container: RunningNodeContainer,
    spec: NodeSpec,
    role: PgRole,
    upstream: Upstream | undefined,
    logFile: string,
  ) {
    super(ctx.password, role, upstream);
    this.spec = spec;
    const address = container.hostAddress(CONTAINER_PG_PORT);
    this.host = address.host;
    this.port = address.port;
    this.logFile = logFile;
  }

  /** Makes the data dir (a standby's when `upstream` is given), starts the container, waits until ready. */
  static async create(
    ctx: ContainerPostgresContext,
    spec: ContainerPostgresSpec,
    upstream?: Upstream,
  ): Promise<ContainerPostgresNode> {
    const name = spec.node.name;
    const dataDir = join(ctx.workDir, name);
    await copyTemplate(ctx.template, dataDir);
    const runAs = ctx.template.runAs;
    const settings: PgSettings = { cluster_name: name, listen_addresses: "*", ...spec.settings };
    if (upstream)
      settings.primary_conninfo = primaryConninfo({
        ...upstream,
        password: ctx.template.password,
        applicationName: name,
      });
    writeOwned(dataDir, NODE_CONF, `${renderSettings(settings)}\n`, runAs);
    writeOwned(dataDir, "pg_hba.conf", containerHba(), runAs);
    if (upstream) writeOwned(dataDir, "standby.signal", "", runAs);

    const uid = runAs?.uid ?? process.getuid?.() ?? 0;
    const gid = runAs?.gid ?? process.getgid?.() ?? 0;
    const clock = containerClockEnv(spec.env);
    const logFile = join(ctx.logsDir, `${name}.log`);
    const container = await ctx.backend.startNode({
      node: name,
      image: ctx.image,
      command: startCommand(uid, gid, clock.env),
      ports: [CONTAINER_PG_PORT],
      binds: [
        { source: dataDir, target: CONTAINER_DATA_DIR },
        ...(clock.mountDir ? [{ source: clock.mountDir, target: clock.mountDir, mode: "ro" as const }] : []),
      ],
      stopSignal: "SIGINT", // fast shutdown
      startupTimeoutMs: ctx.readyTimeoutMs,
      logFile,
    });
    const node = new ContainerPostgresNode(
      { password: ctx.template.password, readyTimeoutMs: ctx.readyTimeoutMs },
      container,
      spec.node,
      upstream ? "standby" : "primary",
      upstream,
      logFile,
    );
    await node.waitReady();
    return node;
  }

  /**
   * A server someone else started in `container` (a compose service), with `password` for the
   * superuser; waits until it answers as `spec.name`.
   */
  static async attach(
    container: RunningNodeContainer,
    spec: NodeSpec,
    role: PgRole,
    opts: { password: string; readyTimeoutMs: number; logFile: string },
  ): Promise<ContainerPostgresNode> {
    const node = new ContainerPostgresNode(opts, container, spec, role, undefined, opts.logFile);
    await node.waitReady();
    return node;
  }

  /** Until the server answers as this node (cluster_name), or the ready timeout. */
  async waitReady(): Promise<void> {
    const deadline = performance.now() + this.ctx.readyTimeoutMs;
    let last = "";
    while (performance.now() < deadline) {
      try {
        const r = await this.query<{ cluster_name: string }>("SHOW cluster_name", [], 5_000);
        if (r.rows[0]?.cluster_name === this.name) return;
        last = `answered as '${r.rows[0]?.cluster_name}'`;
      } catch (err) {
        last = (err as Error).message;
        if (!(await this.container.running().catch(() => false))) {
          await this.container.saveLogs(this.logFile);
          throw new Error(
            `${this.name}: the container exited before PostgreSQL was ready; see ${this.logFile}`,
          );
        }
      }
      await sleep(100);
    }
    await this.container.saveLogs(this.logFile);
    throw new Error(
      `${this.name}: PostgreSQL not ready after ${this.ctx.readyTimeoutMs} ms (${last}); see ${this.logFile}`,
    );
  }

  /** docker kill: SIGKILL to postgres and every backend at once. */
  async kill(): Promise<void> {
    await this.container.kill();
  }

  /** Starts the container again (same data dir, same published port) and waits until ready. */
  async start(): Promise<void> {
    await this.container.startAgain();
    await this.waitReady();
  }

  async stop(): Promise<void> {
    await this.container.stop();
  }

  /** docker pause: the cgroup freezer stops every process; connections stay open. */
  async pause(): Promise<void> {
    await this.container.pause();
  }

  async resume(): Promise<void> {
    await this.container.resume();
  }
}

function writeOwned(dataDir: string, file: string, text: string, runAs: RunAs | undefined): void {
  const path = join(dataDir, file);
  writeFileSync(path, text, { mode: 0o600 });
  if (runAs) chownSync(path, runAs.uid, runAs.gid);
}
