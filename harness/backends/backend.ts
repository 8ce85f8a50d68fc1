/**
 * How nodes come to life and how they are reached: the seam between a store driver (which knows
 * what to start and how to set it up) and the place it runs (processes on this machine,
 * containers, a deployment someone else runs). The runner picks one by name (`--backend`); each
 * lives in its own folder under `harness/backends/<name>/` and registers itself in `index.ts`.
 *
 * A backend does not know any store. What differs per store and backend (how PostgreSQL is
 * started locally vs in a container) lives in the store's folder, which asks `backend.name` and
 * uses what the backend offers; a driver that cannot deploy on a backend says so in `preflight`.
 */
import type { TestConfig } from "../config.ts";
import type { PacketNetwork } from "../nemesis/fault.ts";
import type { ScheduledFault } from "../nemesis/spec.ts";
import type { LayoutSpec } from "../stores/store-driver.ts";
import type { LinkSpec, NodeSpec, RunningLink, TopologySpec } from "../topology.ts";

export type BackendName = "local" | "docker" | "compose" | "external";

/** How node-to-node traffic is faulted in a run: through per-link proxies (the default), or at
 *  packet level with each node in its own network namespace (`--net netns`, root only). */
export type NetMode = "proxy" | "netns";

/** Where something listens, as seen from the harness (clients, proxies) or from a node. */
export interface NodeAddress {
  host: string;
  port: number;
}

export interface BackendOptions {
  /** Run id: names and labels every resource of the run, so reaping finds only this run's. */
  runId: string;
  net: NetMode;
  /** Nodes of the topology (a packet network needs them all up front). */
  nodes: NodeSpec[];
  /** The run's config (the external backend reads its deployment file from it). */
  config?: TestConfig;
  log(message: string): void;
}

/** What a backend hands a store driver for one node it is about to start. */
export interface NodePlacement {
  /** The host a process of this node binds (127.0.0.1 locally; the node's own address in a namespace). */
  bindHost: string;
  /** The network namespace its processes must run in (local backend with `--net netns`). */
  netns?: string;
}

export interface Backend {
  readonly name: BackendName;
  readonly net: NetMode;
  /** Where `node` runs and binds; stores ask before they start a node. */
  placement(node: string): NodePlacement;
  /**
   * The address a node uses to reach a proxy listening on the harness's machine at `listen`
   * (the same address locally; a gateway for containers or namespaces).
   */
  proxyAddressForNodes(listen: NodeAddress): NodeAddress;
  /** The host proxies listen on so that nodes and clients can reach them. */
  readonly proxyListenHost: string;
  /** Packet-level faults between nodes, when this backend runs nodes in networks of their own. */
  readonly packets?: PacketNetwork;
  /** Releases what the backend holds for the run (namespaces, networks). Safe to call twice. */
  dispose(): Promise<void>;
  /** Last resort from `process.on("exit")`, where nothing asynchronous runs: kill what it can. */
  onExitSync?(): void;
  /**
   * Links the backend already has (a user's own Toxiproxy servers): when present, the assembler
   * takes these instead of creating proxies on the harness's proxy, and adds no base latency
   * (the network between the user's regions is real). `release` undoes only what it added.
   */
  provideLinks?(specs: LinkSpec[]): Promise<{ links: RunningLink[]; release(): Promise<void> }>;
}

/** How a backend is made: checked (`preflight`) and cleaned after killed runs (`reap`) first. */
export interface BackendFactory {
  readonly name: BackendName;
  /** One line for `--help` and errors. */
  readonly description: string;
  /** Throws a `BackendUnavailable` naming what is missing and how to get it. */
  preflight(net: NetMode): Promise<void>;
  /** Stops what killed earlier runs of this backend left behind (only theirs); returns how many. */
  reap(): Promise<number>;
  create(opts: BackendOptions): Promise<Backend>;
  /** The layout and topology when the backend, not the scenario, says what exists (external). */
  world?(config: TestConfig): { layout: LayoutSpec; topology: TopologySpec };
  /** Problems with this run's plan on this backend (faults it cannot carry out), before anything starts. */
  checkPlan?(config: TestConfig, topology: TopologySpec, schedule: ScheduledFault[]): Promise<string[]>;
}

export class BackendUnavailable extends Error {
  override name = "BackendUnavailable";
}
