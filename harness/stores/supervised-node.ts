/**
 * A store node that is one server process of the local backend's supervisor (Redis, a Sentinel,
 * an etcd member): how it is started (in its network namespace, as the server user), when it is
 * ready (the store's own probe), and the nemesis's handle on it (kill, start again with the same
 * arguments and data, pause, resume). PostgreSQL has its own (it restarts with changed settings).
 */
import type { NodeAddress } from "../backends/backend.ts";
import type { SupervisedProcess } from "../backends/local/supervised-process.ts";
import type { Supervisor } from "../backends/local/supervisor.ts";
import type { RunAs } from "../backends/local/run-as.ts";
import type { NodeSpec } from "../topology.ts";
import { sleep } from "../sleep.ts";
import type { ServerNode } from "./server-node.ts";

export interface SupervisedNodeOptions {
  spec: NodeSpec;
  /** Where it listens (its namespace address or loopback): what proxies and the harness dial. */
  address: NodeAddress;
  command: string;
  args: string[];
  logFile: string;
  cwd?: string;
  runAs?: RunAs;
  netns?: string;
  env?: Record<string, string>;
  supervisor: Supervisor;
  /** Throws until the server answers (one attempt, short timeout). */
  probe(): Promise<void>;
  readyTimeoutMs: number;
}

export class SupervisedNode implements ServerNode {
  readonly spec: NodeSpec;
  readonly address: NodeAddress;
  private proc: SupervisedProcess | undefined;
  private startedOnce = false;

  constructor(private readonly o: SupervisedNodeOptions) {
    this.spec = o.spec;
    this.address = o.address;
  }

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    return this.proc?.running ?? false;
  }

  get pid(): number | undefined {
    return this.proc?.running ? this.proc.pid : undefined;
  }

  get logFile(): string {
    return this.o.logFile;
  }

  /**
   * Starts the process (same arguments every time) and waits until its probe answers. The first
   * start fails when it does not answer in time; a restart (after a kill) that is still running
   * but not answering is left running: a member restarted inside a partition may not be able to
   * answer until it heals.
   */
  async start(): Promise<void> {
    if (this.proc?.running) throw new Error(`${this.name} is already running (pid ${this.proc.pid})`);
    const proc = await this.o.supervisor.spawn({
      name: this.name,
      command: this.o.command,
      args: this.o.args,
      logFile: this.o.logFile,
      cwd: this.o.cwd,
      runAs: this.o.runAs,
      netns: this.o.netns,
      env: this.o.env,
    });
    this.proc = proc;
    const deadline = Date.now() + this.o.readyTimeoutMs;
    let last = "no attempt yet";
    for (;;) {
      if (!proc.running) {
        const st = proc.exitState;
        throw new Error(
          `${this.name} exited during startup (${st ? (st.signal ?? `exit code ${st.code}`) : "exited"}); ` +
            `last lines of ${this.o.logFile}:\n${proc.logTail()}`,
        );
      }
      try {
        await this.o.probe();
        this.startedOnce = true;
        return;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline && this.startedOnce) return;
      if (Date.now() > deadline) {
        await proc.kill().catch(() => {});
        throw new Error(
          `${this.name} (pid ${proc.pid}) did not answer on ${this.address.host}:${this.address.port} within ` +
            `${this.o.readyTimeoutMs} ms (last error: ${last}); last lines of ${this.o.logFile}:\n${proc.logTail()}`,
        );
      }
      await sleep(100);
    }
  }

  /** SIGKILL to the whole process tree. */
  async kill(): Promise<void> {
    await this.proc?.kill();
  }

  /** Graceful stop (SIGTERM), SIGKILL after the supervisor's timeout. */
  async stop(): Promise<void> {
    await this.proc?.stop();
  }

  /** SIGSTOP: the server holds its connections and answers nothing. */
  async pause(): Promise<void> {
    if (!this.proc) throw new Error(`${this.name} was never started`);
    await this.proc.pause();
  }

  async resume(): Promise<void> {
    await this.proc?.resume();
  }
}
