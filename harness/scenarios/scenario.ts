/**
 * A scenario: a store laid out as regions, a workload, and what the run is expected to find.
 * `topology()` is pure, so a run can be validated and its fault schedule planned before anything
 * starts; `start()` brings the world to life and hands back a `RunningScenario` to use and stop.
 *
 * After the workload, the runner heals every fault, lets the scenario `quiesce` (replication
 * catches up), runs the workload's final operations from each region, then reads every node's
 * final state directly (`readFinalState`) for the divergence check.
 */
import type { CheckOptions } from "../../checkers/checker.ts";
import type { FinalStates } from "../../checkers/divergence.ts";
import type { Random } from "../../workloads/random.ts";
import type { Workload, WorkloadOp } from "../../workloads/workload.ts";
import type { TestConfig } from "../config.ts";
import type { MetricsWriter } from "../metrics-writer.ts";
import type { NodeControl } from "../nemesis/fault.ts";
import type { Router } from "../nemesis/router.ts";
import type { ScheduledFault } from "../nemesis/spec.ts";
import type { RunFolder } from "../run-folder.ts";
import type { RegionName, RunningLink, TopologySpec } from "../topology.ts";

export interface ScenarioInfo {
  name: string;
  /** The layout, in the seeds' vocabulary. */
  layout: string;
  /** What a run must find; the project's tests hold the scenario to it. */
  expected: string;
  /** true: a positive control (must pass); false: a negative control (must find anomalies). */
  expectedValid: boolean;
  implemented: boolean;
  /** The workload its clients run: register, set, ... */
  workload?: string;
  /** Config values this scenario prefers over the global defaults. */
  defaults?: Partial<TestConfig>;
}

/** What a scenario's own nemesis plans from. Same inputs, same schedule (seeded). */
export interface ScenarioNemesisPlan {
  seed: number;
  timeLimitMs: number;
  intervalMs: number;
  faultDurationMs: number;
  topology: TopologySpec;
}

/** A nemesis only this scenario offers: a composite fault sequence (e.g. cut off the primary's
 *  region, then fail over), planned into ordinary schedule entries that replay as they are. */
export interface ScenarioNemesis {
  description: string;
  plan(opts: ScenarioNemesisPlan): ScheduledFault[];
}

export interface ScenarioEnv {
  config: TestConfig;
  folder: RunFolder;
  /** Toxiproxy API base URL. */
  proxyUrl: string;
  /** Where clients send reads and writes; failover faults move it. */
  router: Router;
  /** Extra environment a node must be started with (fake clocks), by node name. */
  nodeEnv(node: string): Record<string, string> | undefined;
  log(message: string): void;
}

/** A client of a logical process, and which node each of its operations goes to. */
export interface ProcessClient<C = unknown, O extends WorkloadOp = WorkloadOp> {
  client: C & { close(): Promise<void> };
  nodeFor(op: O): string;
}

/** What a scenario's quiesce found: whether replication caught up, in words. */
export interface Quiesced {
  settled: boolean;
  detail: string;
}

export interface RunningScenario<C = unknown, O extends WorkloadOp = WorkloadOp> {
  links: RunningLink[];
  nodes: Map<string, NodeControl>;
  /** The workload the clients run, drawing its operations from `random` (seeded by the runner). */
  workload(random: Random): Workload<C, O>;
  /** A fresh client (fresh connections) for process `process` in `region`. */
  openClient(region: RegionName, process: number): ProcessClient<C, O>;
  /** Checkers to run over the history, with their options. */
  checkers: { name: string; options: CheckOptions }[];
  /** Background measurements (replication lag, ...) until `stop` is called on the returned handle. */
  startProbes?(metrics: MetricsWriter): { stop(): Promise<void> };
  /** After healing: waits (at most `timeoutMs`) until replicas have caught up with their primary. */
  quiesce?(timeoutMs: number): Promise<Quiesced>;
  /** Reads every key from every node directly (no proxy); a node that cannot be read says why. */
  readFinalState?(): Promise<FinalStates>;
  /** Stops every process the scenario started. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface Scenario extends ScenarioInfo {
  topology(config: TestConfig): TopologySpec;
  /** Nemeses only this scenario offers, by name (used in `--nemesis` alone). */
  nemeses?: Record<string, ScenarioNemesis>;
  start?(env: ScenarioEnv): Promise<RunningScenario>;
}
