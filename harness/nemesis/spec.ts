/**
 * Faults as plain JSON: what `planSchedule` produces, what `test.json` records under `schedule`,
 * and what `faultFromSpec` turns back into a runnable `Fault`. A spec holds every choice that was
 * random (which region, which ring order), so replaying a spec does the same thing again.
 */
import type { RegionName } from "../topology.ts";

/** blackhole: Toxiproxy `timeout` toxic with timeout 0 (data stops, connections hang).
 *  refuse: the proxy is disabled (existing connections close, new ones are refused). */
export type PartitionMechanism = "blackhole" | "refuse";

/** all: node and client links. peers: only node-to-node links (replication, gossip); clients still
 *  reach every node; the seeds' "partial partition". */
export type PartitionScope = "all" | "peers";

export type PartitionShapeSpec =
  /** The region's nodes and clients can only talk among themselves. */
  | { shape: "isolate-region"; region: RegionName }
  /** One node cut off from every other node and from the clients of other regions. */
  | { shape: "isolate-node"; node: string }
  /** Nodes in this order, cut into two halves (smaller half first). */
  | { shape: "halves"; order: string[] }
  /** These nodes (fewer than half) against the rest. */
  | { shape: "majority-minority"; minority: string[] }
  /** Nodes in a ring in this order; each sees the majority that starts at itself. */
  | { shape: "majorities-ring"; order: string[] }
  /** Halves of this order; the first node of the second half talks to both sides. */
  | { shape: "bridge"; order: string[] }
  /** Nothing from `from` region reaches `to` region; the other direction still flows. */
  | { shape: "one-way"; from: RegionName; to: RegionName }
  /** isolate-region for node-to-node links only: replication is cut, clients reach every node. */
  | { shape: "partial"; region: RegionName };

export type PartitionShape = PartitionShapeSpec["shape"];

export const PARTITION_SHAPES: readonly PartitionShape[] = [
  "isolate-region",
  "isolate-node",
  "halves",
  "majority-minority",
  "majorities-ring",
  "bridge",
  "one-way",
  "partial",
];

export type PartitionSpec = {
  kind: "partition";
  mechanism: PartitionMechanism;
  scope?: PartitionScope;
} & PartitionShapeSpec;

/** Extra latency on every link between two regions (both directions), on top of the base matrix. */
export interface LatencySpec {
  kind: "latency";
  regions: [RegionName, RegionName];
  latencyMs: number;
  jitterMs: number;
}

/** A bandwidth limit on every link between two regions, in KB/s. */
export interface BandwidthSpec {
  kind: "bandwidth";
  regions: [RegionName, RegionName];
  rateKBps: number;
}

/** bump: the node's clock jumps by `deltaMs` for the fault's duration, then back.
 *  strobe: the clock flips between +deltaMs and 0 every `periodMs`.
 *  reset: back to real time (a start that only resets). */
export type ClockSpec =
  | { kind: "clock"; action: "bump"; node: string; deltaMs: number }
  | { kind: "clock"; action: "strobe"; node: string; deltaMs: number; periodMs: number }
  | { kind: "clock"; action: "reset"; node: string };

/** SIGKILL at start, restart at stop. */
export interface KillSpec {
  kind: "kill";
  node: string;
}

/** SIGSTOP at start, SIGCONT at stop. */
export interface PauseSpec {
  kind: "pause";
  node: string;
}

/** Promote `to` at start and move write routing from `from` to `to`; during `windowMs` a fraction
 *  `splitFraction` of processes still write to `from` (DNS convergence). Stop ends the window. */
export interface FailoverSpec {
  kind: "failover";
  from: string;
  to: string;
  windowMs: number;
  splitFraction: number;
}

export type FaultSpec =
  PartitionSpec | LatencySpec | BandwidthSpec | ClockSpec | KillSpec | PauseSpec | FailoverSpec;

export type FaultKind = FaultSpec["kind"];

/** One entry of `test.json`'s `schedule`: start `spec` at `atMs` after the fault phase's origin
 *  (the run's start), stop it `durationMs` later. */
export interface ScheduledFault {
  atMs: number;
  durationMs: number;
  spec: FaultSpec;
}
