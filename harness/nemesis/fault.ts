/**
 * The contract between the runner and faults. A fault is started and stopped by the nemesis
 * process; what `start`/`stop` return is recorded as the nemesis op's value in the history
 * ("cut eu-west->us-east replication"), so the report can line anomalies up with faults.
 */
import type { NodeClock } from "../clock/node-clocks.ts";
import type { NodeSpec, RunningLink, TopologySpec } from "../topology.ts";
import type { CutSet } from "./cuts.ts";
import type { Router } from "./router.ts";

/** What a fault may act on: the proxy API for links, and node processes. */
export interface FaultContext {
  /** Toxiproxy HTTP API base URL, e.g. http://127.0.0.1:8474. */
  proxyUrl: string;
  topology: TopologySpec;
  links: RunningLink[];
  nodes: Map<string, NodeControl>;
  /** Per-node clocks (libfaketime), for clock faults; nodes must have been started with their env. */
  clocks?: Map<string, NodeClock>;
  /** Where clients send writes; failover faults move it. */
  router?: Router;
  /** Packet-level network (network namespaces) for stores whose peers gossip addresses; partitions
   *  then also cut node-to-node traffic here. */
  packets?: PacketNetwork;
}

export type { NodeClock } from "../clock/node-clocks.ts";

/** Packet-level faults between nodes (see harness/netns/). */
export interface PacketNetwork {
  /** Drops every packet of each node-to-node pair cut in `cuts` (pairs naming unknown nodes are skipped);
   *  returns what it did, in words. */
  cut(cuts: CutSet, tag: string): Promise<string[]>;
  /** Removes the drops added under `tag`. */
  heal(tag: string): Promise<void>;
  /** Removes every drop rule and every netem qdisc this network added. */
  healAll(): Promise<void>;
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

/** The node a fault acts on; `what` names the fault in the error. */
export function nodeControl(ctx: FaultContext, name: string, what: string): NodeControl {
  const node = ctx.nodes.get(name);
  if (!node) throw new Error(`${what}: no node '${name}' (nodes: ${[...ctx.nodes.keys()].join(", ")})`);
  return node;
}

export interface Fault {
  /** The nemesis op's `f`: partition, latency, clock, kill, pause, failover, ... */
  f: string;
  /** Applies the fault; returns a description recorded in the history. */
  start(ctx: FaultContext): Promise<unknown>;
  /** Undoes it; must be safe to call when start failed half-way. */
  stop(ctx: FaultContext): Promise<unknown>;
}
