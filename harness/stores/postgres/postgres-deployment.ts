/**
 * The PostgreSQL side of one run on the local backend: the server user, the binaries, a temp
 * dir for data, the run's template (one initdb), and the nodes made from it.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type RunAs, resolveRunAs } from "../../backends/local/run-as.ts";
import { supervisor as defaultSupervisor, type Supervisor } from "../../backends/local/supervisor.ts";
import { createTempDir } from "../../backends/local/temp-dir.ts";
import { type PgBinaries, resolvePostgresBinaries } from "./binaries.ts";
import { type PostgresNodeSpec, RunningPostgresNode, type Upstream } from "./postgres-node.ts";
import { createPgTemplate, type PgTemplate } from "./template.ts";

export interface PreparePostgresOptions {
  /** The run folder: server logs go to `<runDir>/logs/<node>.log`. */
  runDir: string;
  supervisor?: Supervisor;
  /** How long a node may take to accept queries after start. Default 60 s (the machine may be loaded). */
  readyTimeoutMs?: number;
  /** Where free ports come from (default: the kernel's choice via allocatePort). */
  allocatePort?: () => Promise<number>;
  /** Reuse this template instead of running initdb (tests share one per file). */
  template?: PgTemplate;
}

export class PostgresDeployment {
  readonly nodes: RunningPostgresNode[] = [];

  private constructor(
    readonly runDir: string,
    readonly logsDir: string,
    readonly workDir: string,
    readonly template: PgTemplate,
    readonly supervisor: Supervisor,
    readonly readyTimeoutMs: number,
    private readonly portAllocator: (() => Promise<number>) | undefined,
  ) {}

  get runAs(): RunAs | undefined {
    return this.template.runAs;
  }

  get binaries(): PgBinaries {
    return this.template.binaries;
  }

  get password(): string {
    return this.template.password;
  }

  /** Resolves the server user and binaries, makes the data temp dir and the template. */
  static async prepare(opts: PreparePostgresOptions): Promise<PostgresDeployment> {
    const sup = opts.supervisor ?? defaultSupervisor;
    const logsDir = join(opts.runDir, "logs");
    mkdirSync(logsDir, { recursive: true });
    const runAs = opts.template ? opts.template.runAs : resolveRunAs();
    const workDir = createTempDir("pg", runAs, sup);
    const template =
      opts.template ??
      (await createPgTemplate({
        workDir,
        binaries: await resolvePostgresBinaries(runAs),
        runAs,
        logFile: join(logsDir, "initdb.log"),
        supervisor: sup,
      }));
    return new PostgresDeployment(
      opts.runDir,
      logsDir,
      workDir,
      template,
      sup,
      opts.readyTimeoutMs ?? 60_000,
      opts.allocatePort,
    );
  }

  /** A primary (no upstream) or a standby streaming from `upstream`; started and ready. */
  async startNode(spec: PostgresNodeSpec, upstream?: Upstream): Promise<RunningPostgresNode> {
    const node = await RunningPostgresNode.create(
      {
        template: this.template,
        workDir: this.workDir,
        logsDir: this.logsDir,
        supervisor: this.supervisor,
        readyTimeoutMs: this.readyTimeoutMs,
        allocatePort: this.portAllocator,
      },
      spec,
      upstream,
    );
    this.nodes.push(node);
    return node;
  }

  node(name: string): RunningPostgresNode {
    const found = this.nodes.find((n) => n.name === name);
    if (!found)
      throw new Error(`no PostgreSQL node named ${name} (have: ${this.nodes.map((n) => n.name).join(", ")})`);
    return found;
  }

  /** Stops every node (fast shutdown, in parallel) and removes the data temp dir. */
  async stop(): Promise<void> {
    const results = await Promise.allSettled(this.nodes.map((n) => n.stop()));
    this.supervisor.releaseDir(this.workDir);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed.length > 0) {
      throw new Error(
        `stopping PostgreSQL nodes: ${failed.map((f) => (f.reason as Error).message).join("; ")}`,
      );
    }
  }
}
