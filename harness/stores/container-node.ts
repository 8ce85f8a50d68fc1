/**
 * A store server of the docker backend (a Redis server, a Sentinel, an etcd member): one node
 * container running one server as its main process, and the nemesis's handle on it. The container
 * is created on the first `start` (so a deployment can create every node, then start them together,
 * as etcd members of a new cluster must); kill is `docker kill`, a later start is `docker start`
 * on the same filesystem (data and rewritten configs survive, as a process's files do on the local
 * backend), pause is the cgroup freezer. Readiness is the store's own probe at the published port.
 * PostgreSQL has its own (container-postgres-node.ts): it restarts with changed settings.
 */
import type { NodeAddress } from "../backends/backend.ts";
import type { DockerBackend } from "../backends/docker/docker-backend.ts";
import type { RunningNodeContainer } from "../backends/docker/node-container.ts";
import { sleep } from "../sleep.ts";
import type { NodeSpec } from "../topology.ts";
import type { ServerNode } from "./server-node.ts";

export interface ContainerNodeOptions {
  backend: DockerBackend;
  spec: NodeSpec;
  image: string;
  command: string[];
  /** The port the server listens on inside its container (published on 127.0.0.1). */
  port: number;
  /** Other ports it listens on (etcd's peer port): published too, so readiness waits for them. */
  otherPorts?: number[];
  env?: Record<string, string>;
  logFile: string;
  /** Throws until the server answers at `address` (one attempt, short timeout). */
  probe(address: NodeAddress): Promise<void>;
  readyTimeoutMs: number;
}

/** Seconds `docker stop` waits for the server before SIGKILL at the end of a run. */
const STOP_TIMEOUT_S = 3;

export class ContainerNode implements ServerNode {
  readonly spec: NodeSpec;
  readonly logFile: string;
  private container: RunningNodeContainer | undefined;

  constructor(private readonly o: ContainerNodeOptions) {
    this.spec = o.spec;
    this.logFile = o.logFile;
  }

  get name(): string {
    return this.spec.name;
  }

  /** 127.0.0.1 and the published port (known once the container exists). */
  get address(): NodeAddress {
    if (!this.container) throw new Error(`${this.name}: its container is not started yet`);
    return this.container.hostAddress(this.o.port);
  }

  /**
   * Creates the container (first time) or starts it again, then waits until the probe answers.
   * The first start fails when it never answers; a restart that is running but not answering is
   * left running (a member restarted inside a partition may not answer until it heals).
   */
  async start(): Promise<void> {
    const first = !this.container;
    if (this.container) await this.container.startAgain();
    else
      this.container = await this.o.backend.startNode({
        node: this.name,
        image: this.o.image,
        command: this.o.command,
        ports: [this.o.port, ...(this.o.otherPorts ?? [])],
        env: this.o.env,
        startupTimeoutMs: this.o.readyTimeoutMs,
        logFile: this.o.logFile,
      });
    const container = this.container;
    const deadline = Date.now() + this.o.readyTimeoutMs;
    let last = "no attempt yet";
    for (;;) {
      try {
        await this.o.probe(this.address);
        return;
      } catch (err) {
        last = (err as Error).message;
      }
      if (!(await container.running().catch(() => false))) {
        await container.saveLogs(this.logFile);
        throw new Error(`${this.name}: its container exited during startup; see ${this.logFile}`);
      }
      if (Date.now() > deadline) {
        if (!first) return;
        await container.saveLogs(this.logFile);
        throw new Error(
          `${this.name} did not answer within ${this.o.readyTimeoutMs} ms (last error: ${last}); see ${this.logFile}`,
        );
      }
      await sleep(100);
    }
  }

  /** docker kill: SIGKILL to the server; the container stays, stopped. */
  async kill(): Promise<void> {
    await this.container?.kill();
  }

  async stop(): Promise<void> {
    await this.container?.stop(STOP_TIMEOUT_S);
  }

  async pause(): Promise<void> {
    if (!this.container) throw new Error(`${this.name} was never started`);
    await this.container.pause();
  }

  async resume(): Promise<void> {
    await this.container?.resume();
  }
}
