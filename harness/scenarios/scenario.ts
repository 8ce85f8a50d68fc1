/**
 * A scenario is data: a layout (regions, nodes, roles) of a store, a workload with its options,
 * how clients route reads and writes, the checkers that judge the history, its default and own
 * nemeses, and what a run must find (a positive or a negative control). One generic assembler
 * (`assemble.ts`) turns that into proxies, routing and clients through the store's driver and the
 * chosen backend; nothing here names SQL, a process or a port.
 */
import type { CheckOptions } from "../../checkers/checker.ts";
import type { TestConfig } from "../config.ts";
import type { ScheduledFault } from "../nemesis/spec.ts";
import type { LayoutSpec } from "../stores/store-driver.ts";
import type { TopologySpec } from "../topology.ts";

export interface CheckerSpec {
  name: string;
  options: CheckOptions;
  /** Its anomalies are this scenario's known price (listed, not failing it); says why. */
  expectedCost?: string;
  /** The result's name when one checker runs twice with different options (e.g. Elle against
   *  two consistency models); default `name`. */
  as?: string;
}

export interface ScenarioInfo {
  name: string;
  /** The layout, in the seeds' vocabulary. */
  layout: string;
  /** What a run must find; the project's tests hold the scenario to it. */
  expected: string;
  /** true: a positive control (must pass); false: a negative control (must find anomalies). */
  expectedValid: boolean;
  /** Anomaly types a negative control must find (all of them). */
  expectedAnomalies?: string[];
  /** A different expectation under one of its own nemeses (pg-geo-partitioned under dns-split is a
   *  negative control), by nemesis name. */
  expectedUnder?: Record<string, { expected: string; expectedValid: boolean; expectedAnomalies?: string[] }>;
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

/** What a run of `s` under `nemeses` must find: the scenario's own expectation, or the one it
 *  states for a nemesis among them (`expectedUnder`). */
export function expectedOutcome(
  s: ScenarioInfo,
  nemeses: readonly string[],
): Pick<ScenarioInfo, "name" | "expected" | "expectedValid" | "expectedAnomalies"> {
  const under = nemeses.map((n) => s.expectedUnder?.[n]).find((x) => x !== undefined);
  return under ? { name: `${s.name} under ${nemeses.join(", ")}`, ...under } : s;
}

/**
 * Where each client process sends an operation.
 * - writes `primary`: to the node the router names as primary (it moves on failover);
 *   `local`: to the client's own region's node (multi-writer);
 *   `home`: to the node of the op key's home region (home-region.ts; geo-partitioned), through the
 *   cross-region link when the home is remote; a `dns-split` window may send some elsewhere.
 * - reads: `local`, `pinned` or `primary` (ReadPolicy below).
 */
export interface RoutingSpec {
  writes: "primary" | "local" | "home";
  reads: ReadPolicy;
}

/**
 * How a read is routed (`--reads`), in the seeds' words:
 * - `local`: the node of the region the client is in now (fast; may be stale);
 * - `pinned`: read-after-write pinned to where the session's writes went: local once that node has
 *   applied the session's causality token (the position of its last write and of its last read,
 *   kept by the store's client; `SessionToken`), else the node that holds it;
 * - `primary`: strong: where the process writes.
 */
export type ReadPolicy = "local" | "pinned" | "primary";
export const READ_POLICIES: readonly ReadPolicy[] = ["local", "pinned", "primary"];

export interface Scenario extends ScenarioInfo {
  workload: string;
  /** The store driver's name (harness/stores/<store>/). */
  store: string;
  /** Regions, nodes and their roles, in a layout kind the driver knows. */
  layoutSpec: LayoutSpec;
  /** The store's own options for this layout (validated by the driver). */
  storeOptions?: Record<string, unknown>;
  /** The workload's knobs (validated by the workload's schema); `--workload-option` overrides. */
  workloadOptions?: Record<string, unknown>;
  routing: RoutingSpec;
  /** Checkers over the history. A `linearizable` checker without `timeLimitMs` gets the run's budget. */
  checkers: CheckerSpec[];
  /** The scenarios that run this one's layout and workload under each read policy (`--reads P`
   *  on this scenario runs `readVariants[P]`, with that scenario's own expectation). */
  readVariants?: Partial<Record<ReadPolicy, string>>;
  /** Nemeses only this scenario offers, by name (used in `--nemesis` alone). */
  nemeses?: Record<string, ScenarioNemesis>;
}
