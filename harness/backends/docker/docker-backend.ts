/**
 * The docker backend: every node of a run is a container (testcontainers) on a network of the
 * run's own, under its node name as alias; store drivers start their nodes through `startNode`.
 *
 * Addresses (see the README's "Containers" for the picture):
 * - the harness reaches a node at 127.0.0.1:<published port> (ports are published on loopback);
 * - faultline's proxies run on the harness's machine and listen on the run network's gateway
 *   address, the bridge's own address on this machine, which both the harness and the containers
 *   reach; a node dials a proxy there (`proxyAddressForNodes`).
 * - packet-level cuts are iptables rules inside the containers (`packets`).
 *
 * Cleanup: `dispose` removes every container and the network (after success, failure or
 * Ctrl-C, since the runner's teardown always calls it); a harness exiting without teardown removes
 * them synchronously on `exit`; one killed outright (SIGKILL) leaves them to the next run's reap,
 * which goes by the owner label (run-labels.ts).
 */
import { createHash } from "node:crypto";
import { getContainerRuntimeClient, StartedNetwork } from "testcontainers";
import type { Backend, BackendOptions, NodeAddress, NodePlacement } from "../backend.ts";
import { type NodeContainerSpec, RunningNodeContainer } from "./node-container.ts";
import { ContainerPacketNetwork } from "./packet-network.ts";
import { removeNowSync } from "./reap.ts";
import { runLabels } from "./run-labels.ts";
import { configureTestcontainers } from "./testcontainers-env.ts";

/**
 * Docker names allow [a-zA-Z0-9_.-]: `faultline-<pid>-<hash of the run id>[-<node>]`. The pid keeps
 * two harnesses apart; the full run id is in the labels.
 */
function resourceName(runId: string, suffix?: string): string {
  const base = `faultline-${process.pid}-${createHash("sha256").update(runId).digest("hex").slice(0, 8)}`;
  return suffix ? `${base}-${suffix.replace(/[^a-zA-Z0-9_.-]/g, "-")}` : base;
}

export interface StartNodeOptions extends NodeContainerSpec {
  /** Where the container's output goes when the run ends (`logs/<node>.log`). */
  logFile?: string;
}

export class DockerBackend implements Backend {
  readonly name = "docker" as const;
  readonly packets: ContainerPacketNetwork;
  private readonly containers = new Map<string, RunningNodeContainer>();
  private readonly logFiles = new Map<string, string>();
  private disposed = false;
  private readonly onExit = () =>
    removeNowSync(
      [...this.containers.values()].map((c) => c.id),
      this.network.getId(),
    );

  private constructor(
    readonly net: BackendOptions["net"],
    private readonly runId: string,
    private readonly network: StartedNetwork,
    /** The run network's gateway: this machine's address on the bridge. */
    readonly proxyListenHost: string,
  ) {
    this.packets = new ContainerPacketNetwork(() => this.containers);
    process.on("exit", this.onExit);
  }

  /** Creates the run's network (labelled, so a killed run's is reaped too). */
  static async create(opts: BackendOptions): Promise<DockerBackend> {
    configureTestcontainers();
    const client = await getContainerRuntimeClient();
    const name = resourceName(opts.runId);
    const created = await client.network.create({
      Name: name,
      CheckDuplicate: true,
      Driver: "bridge",
      Labels: runLabels(opts.runId),
    });
    const network = new StartedNetwork(client, name, created);
    try {
      const info = await created.inspect();
      const gateway = info.IPAM?.Config?.[0]?.Gateway as string | undefined;
      if (!gateway)
        throw new Error(`docker network ${name} has no gateway address (IPAM: ${JSON.stringify(info.IPAM)})`);
      opts.log(`docker network ${name}, gateway ${gateway} (proxies listen there)`);
      return new DockerBackend(opts.net, opts.runId, network, gateway);
    } catch (err) {
      await created.remove().catch(() => {});
      throw err;
    }
  }

  get networkName(): string {
    return this.network.getName();
  }

  /** Starts a node's container on the run network; it is removed by `dispose`. */
  async startNode(spec: StartNodeOptions): Promise<RunningNodeContainer> {
    if (this.disposed) throw new Error(`docker backend of run ${this.runId} is disposed`);
    if (this.containers.has(spec.node))
      throw new Error(`node ${spec.node} is already started (names must be unique)`);
    const container = await RunningNodeContainer.start(
      spec,
      this.network,
      runLabels(this.runId),
      resourceName(this.runId, spec.node),
    );
    this.containers.set(spec.node, container);
    if (spec.logFile) this.logFiles.set(spec.node, spec.logFile);
    return container;
  }

  container(node: string): RunningNodeContainer | undefined {
    return this.containers.get(node);
  }

  placement(_node: string): NodePlacement {
    return { bindHost: "0.0.0.0" }; // inside its container; only published on loopback
  }

  proxyAddressForNodes(listen: NodeAddress): NodeAddress {
    return { host: this.proxyListenHost, port: listen.port };
  }

  /** For a harness exiting without teardown: removes containers and network synchronously. */
  onExitSync(): void {
    this.onExit();
  }

  /** Saves each container's output to its log file, then removes containers and network. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all(
      [...this.containers].map(async ([node, c]) => {
        const file = this.logFiles.get(node);
        if (file) await c.saveLogs(file);
        await c.remove();
      }),
    );
    this.containers.clear();
    await this.network.stop().catch(() => {});
    process.off("exit", this.onExit);
  }
}
