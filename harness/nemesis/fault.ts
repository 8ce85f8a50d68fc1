/**
 * The contract between the runner and faults. A fault is started and stopped by the nemesis
 * process; what `start`/`stop` return is recorded as the nemesis op's value in the history
 * ("cut eu-west->us-east replication"), so the report can line anomalies up with faults.
 */
import type { NodeSpec, RunningLink, TopologySpec } from "../topology.ts";

/** What a fault may act on: the proxy API for links, and node processes. */
export interface FaultContext {
  /** Toxiproxy HTTP API base URL, e.g. http://127.0.0.1:8474. */
  proxyUrl: string;
  topology: TopologySpec;
  links: RunningLink[];
  nodes: Map<string, NodeControl>;
}

/** A node as the nemesis sees it; store-specific abilities are optional. */
export interface NodeControl {
  spec: NodeSpec;
  kill(): Promise<void>;
  start(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  promote?(): Promise<void>;
}

export interface Fault {
  /** The nemesis op's `f`: partition, latency, clock, kill, pause, failover, ... */
  f: string;
  /** Applies the fault; returns a description recorded in the history. */
  start(ctx: FaultContext): Promise<unknown>;
  /** Undoes it; must be safe to call when start failed half-way. */
  stop(ctx: FaultContext): Promise<unknown>;
}
