/**
 * One node of a docker run: a testcontainers GenericContainer on the run's network, under the
 * node's name as network alias, labelled with the run and its owner.
 *
 * `NodeContainerSpec` says what to start; `RunningNodeContainer` is the started thing and the
 * nemesis's way in: kill (docker kill, SIGKILL to the whole container) and start again on the same
 * filesystem, pause/unpause (the cgroup freezer), exec (as root, e.g. iptables) and its address
 * on the run network.
 *
 * Published ports are bound on 127.0.0.1 only, at a host port chosen up front, so they stay the
 * same across a kill and restart (docker would otherwise pick new ones, and every proxy in front
 * of the node would point at a dead port).
 */
import { writeFileSync } from "node:fs";
import type { Container } from "dockerode";
import {
  type ContainerRuntimeClient,
  GenericContainer,
  getContainerRuntimeClient,
  type StartedNetwork,
  Wait,
} from "testcontainers";
import { allocatePort, LOOPBACK } from "../local/ports.ts";
import { LABEL_NODE } from "./run-labels.ts";

export interface BindMount {
  source: string;
  target: string;
  mode?: "ro" | "rw";
}

export interface NodeContainerSpec {
  node: string;
  image: string;
  command: string[];
  /** Container ports published on 127.0.0.1 (each at a host port fixed for the container's life). */
  ports: number[];
  env?: Record<string, string>;
  binds?: BindMount[];
  /** Network aliases besides the node's name. */
  aliases?: string[];
  /** Stop signal for `docker stop` (PostgreSQL: SIGINT, a fast shutdown). */
  stopSignal?: string;
  startupTimeoutMs?: number;
}

/** GenericContainer plus what its builder lacks: loopback-only port bindings and a stop signal. */
class LoopbackContainer extends GenericContainer {
  stopSignal?: string;

  protected override async beforeContainerCreated(): Promise<void> {
    for (const bindings of Object.values(this.hostConfig.PortBindings ?? {}) as { HostIp?: string }[][]) {
      for (const b of bindings) b.HostIp = LOOPBACK;
    }
    if (this.stopSignal) this.createOpts.StopSignal = this.stopSignal;
  }
}

export class RunningNodeContainer {
  private constructor(
    readonly node: string,
    private readonly container: Container,
    private readonly client: ContainerRuntimeClient,
    /** The network whose address `ip()` reports. */
    private readonly networkName: string | undefined,
    private readonly hostPorts: Map<number, number>,
  ) {}

  /** Creates and starts the container; resolves once its ports listen. */
  static async start(
    spec: NodeContainerSpec,
    network: StartedNetwork,
    labels: Record<string, string>,
    containerName: string,
  ): Promise<RunningNodeContainer> {
    const hostPorts = new Map<number, number>();
    for (const p of spec.ports) hostPorts.set(p, await allocatePort());
    const c = new LoopbackContainer(spec.image)
      .withName(containerName)
      .withNetwork(network)
      .withNetworkAliases(spec.node, ...(spec.aliases ?? []))
      .withLabels({ ...labels, [LABEL_NODE]: spec.node })
      .withCommand(spec.command)
      .withEnvironment(spec.env ?? {})
      .withAddedCapabilities("NET_ADMIN") // iptables cuts inside the container
      .withBindMounts((spec.binds ?? []).map((b) => ({ mode: "rw", ...b })))
      .withExposedPorts(...[...hostPorts].map(([container, host]) => ({ container, host })))
      .withWaitStrategy(Wait.forListeningPorts())
      .withStartupTimeout(spec.startupTimeoutMs ?? 60_000);
    c.stopSignal = spec.stopSignal;
    const started = await c.start();
    const client = await getContainerRuntimeClient();
    return new RunningNodeContainer(
      spec.node,
      client.container.getById(started.getId()),
      client,
      network.getName(),
      hostPorts,
    );
  }

  /**
   * A container someone else started (a compose service), by id: its published ports as they are
   * now. Only loopback-published ports are taken (the compose layout publishes nothing else).
   */
  static async attach(node: string, id: string): Promise<RunningNodeContainer> {
    const client = await getContainerRuntimeClient();
    const container = client.container.getById(id);
    const info = await container.inspect();
    const hostPorts = new Map<number, number>();
    for (const [key, bindings] of Object.entries(info.NetworkSettings.Ports ?? {})) {
      const b = (bindings ?? []).find((x) => x.HostIp === LOOPBACK || x.HostIp === "0.0.0.0");
      if (b && key.endsWith("/tcp")) hostPorts.set(Number.parseInt(key, 10), Number(b.HostPort));
    }
    const networkName = Object.keys(info.NetworkSettings.Networks ?? {})[0];
    return new RunningNodeContainer(node, container, client, networkName, hostPorts);
  }

  get id(): string {
    return this.container.id;
  }

  /** Where the harness reaches `containerPort`: 127.0.0.1 and the published port. */
  hostAddress(containerPort: number): { host: string; port: number } {
    const port = this.hostPorts.get(containerPort);
    if (port === undefined) throw new Error(`${this.node}: port ${containerPort} is not published`);
    return { host: LOOPBACK, port };
  }

  /** The container's current address on the run network (it may change when the container restarts). */
  async ip(): Promise<string> {
    const info = await this.container.inspect();
    const ip = this.networkName ? info.NetworkSettings.Networks[this.networkName]?.IPAddress : undefined;
    if (!ip) throw new Error(`${this.node} has no address on network ${this.networkName} (is it running?)`);
    return ip;
  }

  async running(): Promise<boolean> {
    const info = await this.container.inspect();
    return info.State.Running;
  }

  /** SIGKILL to every process of the container (docker kill); the container stays, stopped. */
  async kill(): Promise<void> {
    await this.container.kill().catch((err: Error & { statusCode?: number }) => {
      if (err.statusCode !== 409) throw err; // 409: not running, which is what we wanted
    });
  }

  /** `docker stop`: the stop signal, then SIGKILL after `timeoutS`; the container stays, stopped. */
  async stop(timeoutS = 15): Promise<void> {
    await this.container.stop({ t: timeoutS }).catch((err: Error & { statusCode?: number }) => {
      if (err.statusCode !== 304) throw err; // 304: already stopped
    });
  }

  /** Starts the stopped container again (same filesystem, same published ports). */
  async startAgain(): Promise<void> {
    await this.container.start().catch((err: Error & { statusCode?: number }) => {
      if (err.statusCode !== 304) throw err; // 304: already running
    });
  }

  async pause(): Promise<void> {
    await this.container.pause();
  }

  async resume(): Promise<void> {
    // Unpausing what is not paused is no error here (docker answers 409 or 500 "is not paused").
    if ((await this.container.inspect()).State.Paused) await this.container.unpause();
  }

  /** Runs a command in the container as root; throws with its output when it fails. */
  async exec(command: string[]): Promise<string> {
    const res = await this.client.container.exec(this.container, command, { user: "root" });
    if (res.exitCode !== 0) {
      throw new Error(
        `${this.node}: \`${command.join(" ")}\` failed (exit ${res.exitCode}): ${res.output.trim()}`,
      );
    }
    return res.output;
  }

  /** The container's output since it was created (every start), for logs/<node>.log. */
  async logs(): Promise<string> {
    const buf = (await this.container.logs({
      stdout: true,
      stderr: true,
      follow: false,
    })) as Buffer;
    return demuxDockerLog(buf);
  }

  async saveLogs(file: string): Promise<void> {
    try {
      writeFileSync(file, await this.logs());
    } catch {
      // a container that is already gone has no logs to save
    }
  }

  /** Removes the container (and its anonymous volumes), whatever state it is in. */
  async remove(): Promise<void> {
    await this.container.remove({ force: true, v: true }).catch(() => {});
  }
}

/** Docker's multiplexed log stream (8-byte frame headers: stream, 0, 0, 0, size) as plain text. */
export function demuxDockerLog(buf: Buffer): string {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length && buf[i]! <= 2 && buf[i + 1] === 0 && buf[i + 2] === 0 && buf[i + 3] === 0) {
    const size = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  if (i < buf.length) out.push(buf.subarray(i)); // a TTY container's log is not framed
  return Buffer.concat(out).toString("utf8");
}
