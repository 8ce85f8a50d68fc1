/**
 * A scenario: a store laid out as regions, a workload, and what the run is expected to find.
 * `topology()` is pure, so a run can be validated and its fault schedule planned before anything
 * starts; `start()` brings the world to life and hands back a `RunningScenario` to use and stop.
 */
import type { CheckOptions } from "../../checkers/checker.ts";
import type { RegisterClient, RegisterOp } from "../../workloads/register.ts";
import type { TestConfig } from "../config.ts";
import type { MetricsWriter } from "../metrics-writer.ts";
import type { NodeControl } from "../nemesis/fault.ts";
import type { Router } from "../nemesis/router.ts";
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
  /** Config values this scenario prefers over the global defaults. */
  defaults?: Partial<TestConfig>;
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
export interface ProcessClient {
  client: RegisterClient;
  nodeFor(op: RegisterOp): string;
}

export interface RunningScenario {
  links: RunningLink[];
  nodes: Map<string, NodeControl>;
  /** A fresh client (fresh connections) for process `process` in `region`. */
  openClient(region: RegionName, process: number): ProcessClient;
  /** Checkers to run over the history, with their options. */
  checkers: { name: string; options: CheckOptions }[];
  /** Background measurements (replication lag, ...) until `stop` is called on the returned handle. */
  startProbes?(metrics: MetricsWriter): { stop(): Promise<void> };
  /** Stops every process the scenario started. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface Scenario extends ScenarioInfo {
  topology(config: TestConfig): TopologySpec;
  start?(env: ScenarioEnv): Promise<RunningScenario>;
}
