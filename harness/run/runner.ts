/**
 * Runs one test end to end: start the world, run clients and faults, heal, let replication
 * quiesce, run the workload's final operations, read every node's final state, tear everything
 * down, check the history (and the final states for divergence), write results. Teardown (heal,
 * stop nodes, release the proxy) always runs, whatever happened; a run killed outright is cleaned
 * up by the next one (pid files).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkDivergence, type FinalStates } from "../../checkers/divergence.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { computeSignals } from "../../checkers/signals.ts";
import { checkSlo } from "../../checkers/slo.ts";
import { type CheckerResult, combineResults, type Results } from "../../checkers/verdict.ts";
import type { Backend } from "../backends/backend.ts";
import { findBackend } from "../backends/index.ts";
import { runCheckers } from "./check-history.ts";
import { runClients, runFinalOps } from "./client-loop.ts";
import { ConfigError, type TestConfig } from "../config.ts";
import { NodeClocks } from "../clock/node-clocks.ts";
import { nodesWithClockFaults, planSchedule } from "../nemesis/schedule.ts";
import { HistoryWriter } from "./history-writer.ts";
import { MetricsWriter, readMetrics } from "../metrics-writer.ts";
import type { FaultContext } from "../nemesis/fault.ts";
import { Router } from "../nemesis/router.ts";
import { healAll, runSchedule } from "../nemesis/run-schedule.ts";
import { parseSchedule } from "../nemesis/spec-schema.ts";
import type { ScheduledFault } from "../nemesis/spec.ts";
import { acquireProxy } from "../proxy/source.ts";
import { createRunFolder, type RunFolder, writeJson } from "../run-folder.ts";
import { assemble, type RunningScenario, topologyFor, withReadPolicy } from "../scenarios/assemble.ts";
import { findScenario } from "../scenarios/index.ts";
import type { Scenario } from "../scenarios/scenario.ts";
import { findStore } from "../stores/index.ts";
import type { Quiesced } from "../stores/store-driver.ts";
import type { TopologySpec } from "../topology.ts";
import { findWorkload, workloadOptions } from "../../workloads/index.ts";
import type { Workload, WorkloadOp } from "../../workloads/workload.ts";

/** How long the runner waits, after healing, for replicas to catch up before the final phase. */
export const QUIESCE_TIMEOUT_MS = 20_000;

/** The run folder file holding every node's final state (see `RunningScenario.readFinalState`). */
export const FINAL_STATE_FILE = "final-state.json";

export interface RunEvents {
  /** A phase begins: "starting", "running", "stopping", "checking". */
  phase(name: string, detail?: string): void;
  log(message: string): void;
}

export interface RunOutcome {
  folder: RunFolder;
  /** Undefined when the run was interrupted before checking. */
  results?: Results;
  interrupted: boolean;
  opCount: number;
  wallMs: number;
}

/** Validates the config against the scenario and plans the faults: every error before anything starts. */
export function planRun(config: TestConfig): {
  scenario: Scenario;
  schedule: ScheduledFault[];
  topology: TopologySpec;
  workload: Workload<unknown, WorkloadOp>;
} {
  const { scenario, topology } = worldOf(config);
  const workload = workloadFor(scenario, config);
  // A replayed run brings its schedule; it is checked against the topology, entry and field named.
  const schedule = config.schedule
    ? parseSchedule(config.schedule, topology)
    : (planScenarioNemesis(scenario, config, topology) ??
      planSchedule({
        seed: config.seed,
        nemeses: config.nemesis,
        intervalMs: config.nemesisIntervalS * 1000,
        faultDurationMs: config.faultDurationS * 1000,
        timeLimitMs: config.timeLimitS * 1000,
        topology,
      }));
  return { scenario, schedule, topology, workload };
}

/** The scenario as this run deploys it, and its topology: the backend's own world where it has
 *  one (a user's deployment), else the scenario's layout with links laid out by the assembler. */
function worldOf(config: TestConfig): { scenario: Scenario; topology: TopologySpec } {
  const scenario = withReadPolicy(findScenario(config.scenario), config.reads);
  const world = findBackend(config.backend).world?.(config);
  if (!world) return { scenario, topology: topologyFor(scenario, config, config.net) };
  return { scenario: { ...scenario, layoutSpec: world.layout }, topology: world.topology };
}

/** The scenario's workload with its options: the scenario's, then the run's own (`-w`). */
function workloadFor(scenario: Scenario, config: TestConfig): Workload<unknown, WorkloadOp> {
  const def = findWorkload(scenario.workload);
  try {
    return def.create(workloadOptions(def.name, { ...scenario.workloadOptions, ...config.workloadOptions }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

/**
 * Everything that can be known wrong before anything starts: the backend can run here (Docker up,
 * root for `--net netns`), and the store can deploy this layout, workload and backend (binaries,
 * versions). Throws one ConfigError listing every problem.
 */
export async function preflightRun(
  config: TestConfig,
  plan: Pick<ReturnType<typeof planRun>, "scenario" | "topology" | "schedule">,
): Promise<void> {
  const { scenario, topology } = plan;
  const backend = findBackend(config.backend);
  await backend.preflight(config.net);
  const driver = findStore(scenario.store);
  const problems = await driver.preflight({
    layout: scenario.layoutSpec,
    topology,
    options: scenario.storeOptions ?? {},
    workload: scenario.workload,
    backend: backend.name,
    config,
    schedule: plan.schedule,
  });
  problems.push(...((await backend.checkPlan?.(config, topology, plan.schedule)) ?? []));
  if (problems.length > 0) throw new ConfigError(`${scenario.name} cannot run: ${problems.join("; ")}`);
}

/** A nemesis the scenario itself offers (a composite sequence); undefined when none was asked for. */
function planScenarioNemesis(
  scenario: Scenario,
  config: TestConfig,
  topology: TopologySpec,
): ScheduledFault[] | undefined {
  const own = config.nemesis.filter((n) => scenario.nemeses?.[n]);
  if (own.length === 0) return undefined;
  if (config.nemesis.length > 1) {
    throw new Error(
      `nemesis '${own[0]}' is a complete fault sequence of scenario ${scenario.name} and runs alone; ` +
        `drop the other nemeses (${config.nemesis.filter((n) => n !== own[0]).join(", ")}) or pick generic ones instead`,
    );
  }
  return scenario.nemeses![own[0]!]!.plan({
    seed: config.seed,
    timeLimitMs: config.timeLimitS * 1000,
    intervalMs: config.nemesisIntervalS * 1000,
    faultDurationMs: config.faultDurationS * 1000,
    topology,
  });
}

export async function runTest(
  config: TestConfig,
  events: RunEvents,
  opts: {
    interrupt?: AbortSignal;
    onStarted?: (writer: HistoryWriter, running: RunningScenario) => void;
  } = {},
): Promise<RunOutcome> {
  const t0 = performance.now();
  const plan = planRun(config);
  const { scenario, schedule, topology, workload } = plan;
  await preflightRun(config, plan);
  const backendFactory = findBackend(config.backend);

  const reaped = await backendFactory.reap();
  if (reaped > 0) events.log(`cleaned up ${reaped} leftover(s) of an earlier run that was killed`);

  const folder = createRunFolder(config.store, config.name);
  const writer = new HistoryWriter(folder.history);
  const metrics = new MetricsWriter(folder.metrics, () => writer.now());
  let interrupted = opts.interrupt?.aborted ?? false;
  const stopNemesis = new AbortController();
  // Resolves at the time limit (counted from the workload's start) or on interrupt.
  let startTimeLimit = () => {};
  const stopClients = new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    startTimeLimit = () => {
      timer = setTimeout(resolve, config.timeLimitS * 1000);
    };
    opts.interrupt?.addEventListener("abort", () => {
      interrupted = true;
      clearTimeout(timer);
      stopNemesis.abort();
      resolve();
    });
  });

  let backend: Backend | undefined;
  // A harness that exits without teardown (uncaught error, process.exit) still kills its servers.
  const onExit = () => backend?.onExitSync?.();
  process.on("exit", onExit);

  let running: RunningScenario | undefined;
  let faultCtx: FaultContext | undefined;
  let finalStates: FinalStates | undefined;
  let storeSignals: Record<string, unknown> | undefined;
  let quiesced: Quiesced | undefined;
  let stopping = false;
  const enterStopping = () => {
    if (!stopping) events.phase("stopping");
    stopping = true;
  };
  // Nodes that get clock faults start with libfaketime preloaded, reading a file the nemesis rewrites.
  const clockNodes = nodesWithClockFaults(schedule);
  const clocks = clockNodes.length > 0 ? await NodeClocks.create(clockNodes) : undefined;
  const router = Router.forTopology(topology, config.seed);
  const proxy = await acquireProxy({ url: config.proxyUrl });
  writeJson(folder.testJson, {
    ...config,
    schedule,
    topology,
    proxy: { kind: proxy.kind, version: proxy.version },
    startedAt: new Date().toISOString(),
  });
  try {
    events.phase(
      "starting",
      `${scenario.name}: ${topology.nodes.map((n) => n.name).join(", ")} (proxy: ${proxy.kind})`,
    );
    backend = await backendFactory.create({
      runId: folder.dir,
      net: config.net,
      nodes: topology.nodes,
      config,
      log: events.log,
    });
    running = await assemble({
      scenario,
      config,
      topology,
      workload,
      backend,
      folder,
      proxyUrl: proxy.url,
      router,
      nodeEnv: (node) => (clockNodes.includes(node) ? clocks!.env(node) : undefined),
      log: events.log,
    });
    faultCtx = {
      proxyUrl: proxy.url,
      topology,
      links: running.links,
      nodes: running.nodes,
      router,
      clocks: clocks?.map,
      packets: backend.packets,
    };
    if (interrupted) throw new Interrupted();
    opts.onStarted?.(writer, running);
    events.phase("running");
    // Time 0 of the history is the start of the workload and of the fault schedule.
    writer.startClock();
    startTimeLimit();
    const probes = running.startProbes?.(metrics);
    const ctx = faultCtx;
    const nemesis = runSchedule(schedule, ctx, (op) => writer.record({ ...op }), stopNemesis.signal);
    const regions = topology.regions.map((r) => r.name);
    const clients = await runClients({
      regions,
      concurrency: config.concurrency,
      rate: config.rate,
      opTimeoutMs: config.opTimeoutMs,
      seed: config.seed,
      workload,
      scenario: running,
      writer,
      stop: stopClients,
    });
    stopNemesis.abort();
    await nemesis;
    await probes?.stop();
    enterStopping();

    // Final phase: heal, quiesce, final operations, final states; skipped on interrupt.
    if (interrupted) throw new Interrupted();
    const healed = await healAll(ctx);
    for (const e of healed.errors) events.log(`heal: ${e}`);
    if (interrupted) throw new Interrupted();
    if (running.quiesce) {
      // An interrupt does not wait for replication to catch up.
      const aborted = new Promise<undefined>((resolve) =>
        opts.interrupt?.addEventListener("abort", () => resolve(undefined), { once: true }),
      );
      quiesced = await Promise.race([running.quiesce(QUIESCE_TIMEOUT_MS), aborted]);
      if (quiesced) events.log(`quiesce: ${quiesced.detail}`);
    }
    if (interrupted) throw new Interrupted();
    const finals = await runFinalOps({
      regions,
      opTimeoutMs: config.opTimeoutMs,
      workload,
      scenario: running,
      writer,
      firstProcess: clients.nextProcess,
    });
    if (finals > 0) events.log(`final operations: ${finals}`);
    if (running.readFinalState) {
      finalStates = await running.readFinalState();
      writeJson(join(folder.dir, FINAL_STATE_FILE), finalStates);
    }
    storeSignals = await running.finalSignals?.().catch((e) => {
      events.log(`store signals: ${(e as Error).message}`);
      return undefined;
    });
  } catch (err) {
    if (!(err instanceof Interrupted)) throw err;
  } finally {
    enterStopping();
    if (faultCtx) {
      const healed = await healAll(faultCtx);
      for (const e of healed.errors) events.log(`heal: ${e}`);
    }
    await running?.stop().catch((e) => events.log(`stopping nodes: ${(e as Error).message}`));
    await backend?.dispose().catch((e) => events.log(`backend: ${(e as Error).message}`));
    await proxy.release().catch(() => {});
    await clocks?.dispose();
    process.off("exit", onExit);
    writer.close();
    metrics.close();
  }

  if (interrupted || !running)
    return { folder, interrupted: true, opCount: writer.count, wallMs: performance.now() - t0 };

  events.phase("checking", `${writer.count} ops`);
  const history = parseHistory(readFileSync(folder.history, "utf8"), { fileName: folder.history });
  const signals = { ...computeSignals(history, readMetrics(folder.metrics)), ...storeSignals };
  let results = await runCheckers(history, running.checkers, signals);
  if (config.slo) {
    results = combineResults({ ...results.checkers, slo: checkSlo(signals, config.slo) }, results.signals);
  }
  if (finalStates) {
    const divergence = divergenceResult(finalStates, quiesced);
    results = combineResults(
      { ...results.checkers, divergence },
      { ...results.signals, ...finalStateSignal(finalStates) },
    );
  }
  writeJson(folder.results, results);
  return { folder, results, interrupted, opCount: writer.count, wallMs: performance.now() - t0 };
}

class Interrupted extends Error {}

/** The divergence verdict; nodes that differ while replication had not caught up prove nothing. */
function divergenceResult(states: FinalStates, quiesced: Quiesced | undefined): CheckerResult {
  const started = performance.now();
  const r = checkDivergence(states);
  const stats = { ...r.stats, checkMs: Math.round(performance.now() - started) };
  if (r.valid === false && quiesced && !quiesced.settled) {
    return {
      ...r,
      valid: "unknown",
      anomalyTypes: [],
      reason: `nodes differ, but replication had not caught up when they were read (${quiesced.detail})`,
      stats,
    };
  }
  return { ...r, stats };
}

/** A short summary for `results.signals`; the states themselves are in final-state.json. */
function finalStateSignal(states: FinalStates): Record<string, unknown> {
  const nodes: Record<string, unknown> = {};
  for (const n of states.nodes)
    nodes[n.node] = n.state ? { keys: Object.keys(n.state).length } : { error: n.error };
  return { "final-state": { file: FINAL_STATE_FILE, nodes } };
}
