/**
 * A PostgreSQL server of the local backend: one postmaster on its own loopback port, its own
 * data dir (a copy of the run's template), its log in `logs/<node>.log`.
 *
 * `PostgresNodeSpec` says what to start; `RunningPostgresNode` is what you get once it runs and
 * is how clients, the runner and the nemesis use it (connection info, promote, re-point a
 * standby, stop/kill/restart/pause/resume). It implements the nemesis's `NodeControl` and
 * carries the topology's `RunningNode` fields; what it does over SQL (promote, re-point, ...) is
 * StartedPgNode's, shared with the docker backend's nodes.
 */
import { chownSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readLogSince } from "../../backends/local/log-file.ts";
import { allocatePort, isAddressInUse, LOOPBACK } from "../../backends/local/ports.ts";
import type { SupervisedProcess } from "../../backends/local/supervised-process.ts";
import type { Supervisor } from "../../backends/local/supervisor.ts";
import type { NodePlacement } from "../../backends/backend.ts";
import type { NodeControl } from "../../nemesis/fault.ts";
import type { NodeSpec, RunningNode } from "../../topology.ts";
import { NODE_CONF, type PgSettings, renderSettings } from "./pg-config.ts";
import { waitUntilReady } from "./readiness.ts";
import { StartedPgNode } from "./started-pg-node.ts";
import { copyTemplate, type PgTemplate } from "./template.ts";

/** Where a client (or the harness) connects to reach a node, as `pg.Client` takes it. */
export interface PgConnectionInfo {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** TLS options (pg's `ssl`), for servers faultline did not start. */
  ssl?: Record<string, unknown>;
}

/** A host:port a standby streams from: its primary's, or a proxy in front of it. */
export interface Upstream {
  host: string;
  port: number;
}

export interface PostgresNodeSpec {
  node: NodeSpec;
  /** Extra postgresql.conf settings for this node (e.g. synchronous_commit). */
  settings?: PgSettings;
  /** Extra environment for the server (e.g. LD_PRELOAD + FAKETIME for clock faults). */
  env?: Record<string, string>;
  /** A fixed port; default: a free loopback port. */
  port?: number;
  /** Where the backend places the node: the host it binds, the network namespace it runs in. */
  placement?: NodePlacement;
}

export interface StartOptions {
  /** Environment for this start (and later ones), merged over the spec's `env`. */
  env?: Record<string, string>;
}

export interface PostgresNodeContext {
  template: PgTemplate;
  /** Temp dir holding the data dirs (owned by the server user). */
  workDir: string;
  /** The run folder's `logs/` dir. */
  logsDir: string;
  supervisor: Supervisor;
  readyTimeoutMs: number;
  /** Where free ports come from (default: allocatePort); tests inject collisions here. */
  allocatePort?: () => Promise<number>;
}

const START_ATTEMPTS = 5;
const STOP_TIMEOUT_MS = 15_000;

export type PgRole = "primary" | "standby";

export class RunningPostgresNode extends StartedPgNode implements NodeControl, RunningNode {
  readonly spec: NodeSpec;
  readonly host: string;
  port: number;
  readonly logFile: string;
  readonly dataDir: string;
  /** Environment added to every start; the clock nemesis may change it and restart. */
  env: Record<string, string>;
  private proc: SupervisedProcess | undefined;
  private portChosenByUs: boolean;

  private constructor(
    private readonly ctx: PostgresNodeContext,
    readonly nodeSpec: PostgresNodeSpec,
    role: PgRole,
    upstream: Upstream | undefined,
    port: number,
  ) {
    super(ctx.template.password, role, upstream);
    this.spec = nodeSpec.node;
    this.host = nodeSpec.placement?.bindHost ?? LOOPBACK;
    this.port = port;
    this.portChosenByUs = nodeSpec.port === undefined;
    this.logFile = join(ctx.logsDir, `${nodeSpec.node.name}.log`);
    this.dataDir = join(ctx.workDir, nodeSpec.node.name);
    this.env = { ...nodeSpec.env };
  }

  /**
   * Makes the node's data dir from the template (a standby when `upstream` is given: it
   * streams from that host:port) and starts it; resolves once it accepts queries.
   */
  static async create(
    ctx: PostgresNodeContext,
    spec: PostgresNodeSpec,
    upstream?: Upstream,
  ): Promise<RunningPostgresNode> {
    const port = spec.port ?? (await (ctx.allocatePort ?? allocatePort)());
    const node = new RunningPostgresNode(ctx, spec, upstream ? "standby" : "primary", upstream, port);
    if (existsSync(node.dataDir))
      throw new Error(`data dir ${node.dataDir} already exists: node names must be unique`);
    await copyTemplate(ctx.template, node.dataDir);
    node.writeNodeConf();
    if (upstream) node.writeOwned("standby.signal", "");
    await node.start();
    return node;
  }

  get pid(): number | undefined {
    return this.proc?.running ? this.proc.pid : undefined;
  }

  get running(): boolean {
    return this.proc?.running ?? false;
  }

  get paused(): boolean {
    return this.proc?.isPaused ?? false;
  }

  private writeNodeConf(): void {
    const settings: PgSettings = { cluster_name: this.name, ...this.nodeSpec.settings };
    if (this.host !== LOOPBACK) settings.listen_addresses = this.host;
    if (this.currentUpstream) settings.primary_conninfo = this.conninfoFor(this.currentUpstream);
    this.writeOwned(NODE_CONF, `${renderSettings(settings)}\n`);
  }

  /** Writes a file into the data dir, owned by the server user like everything else there. */
  private writeOwned(file: string, text: string): void {
    const path = join(this.dataDir, file);
    writeFileSync(path, text, { mode: 0o600 });
    const runAs = this.ctx.template.runAs;
    if (runAs) chownSync(path, runAs.uid, runAs.gid);
  }

  protected override logHint(): string {
    return `; see ${this.logFile}`;
  }

  /**
   * Starts the server on its port (same data dir, same port on every restart) and waits until
   * it accepts queries. Until a start has succeeded, a port that was taken (and that the spec
   * did not fix) is replaced by a fresh one and the start retried.
   */
  async start(opts: StartOptions = {}): Promise<void> {
    if (this.proc?.running) throw new Error(`${this.name} is already running (pid ${this.proc.pid})`);
    if (opts.env) this.env = { ...this.env, ...opts.env };
    for (let attempt = 1; ; attempt++) {
      const proc = await this.ctx.supervisor.spawn({
        name: this.name,
        command: this.ctx.template.binaries.postgres,
        args: ["-D", this.dataDir, "-p", String(this.port)],
        logFile: this.logFile,
        runAs: this.ctx.template.runAs,
        netns: this.nodeSpec.placement?.netns,
        env: { ...this.ctx.template.binaries.env, ...this.env },
        stopSignal: "SIGINT", // fast shutdown: roll back open transactions, checkpoint, exit
        stopTimeoutMs: STOP_TIMEOUT_MS,
      });
      this.proc = proc;
      try {
        await waitUntilReady({
          name: this.name,
          proc,
          connection: this.connection,
          timeoutMs: this.ctx.readyTimeoutMs,
          clusterName: this.name,
        });
        this.portChosenByUs = false; // from now on the port is the node's: proxies point at it
        return;
      } catch (err) {
        const exited = !proc.running;
        const inUse = exited && isAddressInUse(readLogSince(this.logFile, proc.logOffset));
        if (!exited) await proc.kill().catch(() => {});
        if (inUse && this.portChosenByUs && attempt < START_ATTEMPTS) {
          // Someone took the port between allocation and bind: take another one.
          this.port = await (this.ctx.allocatePort ?? allocatePort)();
          continue;
        }
        throw err;
      }
    }
  }

  /** Fast shutdown (SIGINT), SIGKILL to the whole process tree after 15 s. */
  async stop(): Promise<void> {
    await this.proc?.stop();
  }

  /** SIGKILL to the postmaster and every backend; resolves when all are gone. */
  async kill(): Promise<void> {
    await this.proc?.kill();
  }

  /** Stop, then start on the same data dir and port. */
  async restart(opts: StartOptions = {}): Promise<void> {
    await this.stop();
    await this.start(opts);
  }

  /** SIGSTOP to every process of the server: queries stall, connections stay open. */
  async pause(): Promise<void> {
    if (!this.proc) throw new Error(`${this.name} was never started`);
    await this.proc.pause();
  }

  /** SIGCONT to every process of the server. */
  async resume(): Promise<void> {
    await this.proc?.resume();
  }
}
