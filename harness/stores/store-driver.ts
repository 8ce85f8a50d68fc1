/**
 * SEAM STATUS: READY
 *
 * A store driver: everything faultline knows about one data store, behind one interface. The
 * runner and the scenario assembler never name a store; they hand a driver a layout (regions,
 * nodes, roles), a backend and a workload, and get back a deployment that opens clients, quiesces,
 * reads final state, probes signals and controls nodes. Each driver lives in
 * `harness/stores/<store>/` and registers itself in `harness/stores/index.ts`.
 *
 * The contract in one paragraph: `peerLinks` says which node-to-node connections the layout's
 * nodes dial (a standby to its primary, a subscriber to its publisher); the assembler puts a proxy
 * on each (when `peerFaults` is "proxy") and `deploy` asks `ctx.dial` for the address to give the
 * dialling node. Clients reach nodes through their own proxies; `openClient` gets a function from
 * node name to that proxied address, and hands back a client bound to one node per call (`at`), so
 * the runner decides where each operation goes (routing), and the store only how to do it there.
 */
import type { CheckOptions } from "../../checkers/checker.ts";
import type { FinalStates } from "../../checkers/divergence.ts";
import type { Backend, BackendName, NodeAddress } from "../backends/backend.ts";
import type { TestConfig } from "../config.ts";
import type { MetricsWriter } from "../metrics-writer.ts";
import type { NodeControl } from "../nemesis/fault.ts";
import type { ScheduledFault } from "../nemesis/spec.ts";
import type { RunFolder } from "../run-folder.ts";
import type { LinkKind, NodeRole, RegionName, TopologySpec } from "../topology.ts";

export type StoreName = string;

/** A layout as a scenario states it, in the seeds' words: which node plays which part where. */
export interface LayoutSpec {
  /** A layout the driver knows: "primary-standbys", "multi-writer", "sentinel", "raft", ... */
  kind: string;
  regions: RegionName[];
  nodes: { name: string; region: RegionName; role: NodeRole }[];
}

/** A connection one node opens to another (the direction it is dialled in). */
export interface PeerLink {
  from: string;
  to: string;
  kind: Exclude<LinkKind, "client">;
}

/** Everything a driver may check before anything starts. */
export interface StorePlan {
  layout: LayoutSpec;
  topology: TopologySpec;
  /** The store's own options from the scenario (e.g. `{ synchronous: true }`), driver-validated. */
  options: Record<string, unknown>;
  workload: string;
  backend: BackendName;
  config: TestConfig;
  /** The planned fault schedule (generic, the scenario's own, or a replay's), so a driver can
   *  refuse faults its store cannot take (clock faults where libfaketime cannot work). */
  schedule?: readonly ScheduledFault[];
}

export interface DeployContext extends Omit<StorePlan, "backend"> {
  backend: Backend;
  folder: RunFolder;
  /**
   * The address node `from` must dial to reach node `to` listening at `target`: a proxy in front
   * of `to` (created now) when node-to-node links are proxied, else `target` itself.
   */
  dial(from: string, to: string, target: NodeAddress): Promise<NodeAddress>;
  /** Extra environment a node's server must start with (fake clocks), by node name. */
  nodeEnv(node: string): Record<string, string> | undefined;
  log(message: string): void;
}

/** A started node: the nemesis's handle on it, and where it listens (unproxied). */
export interface DeployedNode extends NodeControl {
  address: NodeAddress;
}

/**
 * A session's causality token (read policy `pinned`): the store positions of the session's last
 * acknowledged write and last read, kept by its client. It answers one question before a read: can
 * the node the policy prefers serve it without going back in time for this session (it has applied
 * both positions), or must the read go to the node that holds them?
 */
export interface SessionToken {
  /** `preferred` when it has caught up with the token (or the session has none yet), else the
   *  node that took the session's newest position. Never throws: an unreachable `preferred` yields
   *  the holder. */
  readNode(preferred: string): Promise<string>;
  /** The token in words ("pg-us-east-1 at 0/3000148"), for logs and tests. */
  describe(): string;
}

/** One logical process's client: `at(node)` is the workload's client acting on that node. */
export interface BoundClient<C = unknown> {
  at(node: string): C;
  /** The node that served the operation just applied, when the store's client chose it rather
   *  than `at`'s node (Redis writes go to whichever master Sentinel names); the history's
   *  completion records it. Undefined: `at`'s node. */
  servedBy?(): string | undefined;
  close(): Promise<void>;
  /** Present when opened with `{ session: true }` on a store that keeps session tokens. */
  session?: SessionToken;
}

/** How a process's client is opened. */
export interface OpenClientOptions {
  /** Keep a causality token across the session's operations (read policy `pinned`). */
  session?: boolean;
  /** The region the session is in now (a region switch moves it), for region-local tiers (caches). */
  region?: () => RegionName;
}

/** What quiesce found: whether replication caught up, in words. */
export interface Quiesced {
  settled: boolean;
  detail: string;
}

export interface StoreDeployment {
  nodes: Map<string, DeployedNode>;
  /** A fresh client (fresh connections) for `workload`; `address(node)` is the process's proxied
   *  way to each node. `timeoutMs` bounds each operation. */
  openClient(
    workload: string,
    address: (node: string) => NodeAddress,
    timeoutMs: number,
    options?: OpenClientOptions,
  ): BoundClient;
  /** After healing: waits (at most `timeoutMs`) until nodes that follow others have caught up. */
  quiesce?(timeoutMs: number): Promise<Quiesced>;
  /** Every key as each node holds it, read directly (no proxy); a node that cannot be read says why. */
  readFinalState?(workload: string): Promise<FinalStates>;
  /** Background measurements (replication lag, conflicts) until the handle is stopped. */
  startProbes?(metrics: MetricsWriter): { stop(): Promise<void> };
  /** Signals read once at the end (conflict counters), merged into results.signals. */
  finalSignals?(): Promise<Record<string, unknown>>;
  /** Stops every node the deployment started. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface StoreDriver {
  readonly name: StoreName;
  readonly description: string;
  /** Layout kinds it can deploy. */
  readonly layouts: readonly string[];
  /** Workloads it has clients for. */
  readonly workloads: readonly string[];
  /** Backends it can deploy on. */
  readonly backends: readonly BackendName[];
  /**
   * "proxy": each node dials the address it is configured with, so a proxy per link can cut it.
   * "packet": peers learn each other's addresses by gossip; cut them at packet level (`--net netns`).
   */
  readonly peerFaults: "proxy" | "packet";
  /** Fault kinds this store cannot take, each with the reason (Redis hangs under libfaketime, so
   *  `clock` is refused); `preflight` refuses them and `faultline scenarios` does not offer them. */
  readonly refusedFaults?: Readonly<Record<string, string>>;
  /** Node-to-node links the layout's nodes dial. */
  peerLinks(layout: LayoutSpec): PeerLink[];
  /** Problems with this plan, each a sentence with what to do (missing binary, version too old). */
  preflight(plan: StorePlan): Promise<string[]>;
  /** Why this plan's clients cannot keep a session token (read policy `pinned`), or undefined
   *  when they can. Absent: the store keeps none. */
  sessionTokens?(plan: Pick<StorePlan, "layout" | "workload" | "options" | "backend">): string | undefined;
  /** Checkers this store's deployment suggests for a workload when the scenario names none. */
  defaultCheckers?(plan: StorePlan): { name: string; options: CheckOptions }[];
  deploy(ctx: DeployContext): Promise<StoreDeployment>;
}
