/**
 * Runs one test end to end: start the world, run clients and faults, heal, let replication
 * quiesce, run the workload's final operations, read every node's final state, tear everything
 * down, check the history (and the final states for divergence), write results. Teardown (heal,
 * stop nodes, release the proxy) always runs, whatever happened; a run killed outright is cleaned
 * up by the next one (pid files).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkDivergence, type FinalStates } from "../checkers/divergence.ts";
import { parseHistory } from "../checkers/history/parse.ts";
import { computeSignals } from "../checkers/signals.ts";
import { checkSlo } from "../checkers/slo.ts";
import { type CheckerResult, combineResults, type Results } from "../checkers/verdict.ts";
import { reapLeftovers } from "./backends/local/reap.ts";
import { supervisor } from "./backends/local/supervisor.ts";
import { runCheckers } from "./check-history.ts";
import { runClients, runFinalOps } from "./client-loop.ts";
import type { TestConfig } from "./config.ts";
import { Prng } from "./generator/prng.ts";
import { NodeClocks } from "./clock/node-clocks.ts";
import { nodesWithClockFaults, planSchedule } from "./generator/schedule.ts";
import { HistoryWriter } from "./history-writer.ts";
import { MetricsWriter } from "./metrics-writer.ts";
import type { FaultContext } from "./nemesis/fault.ts";
import { Router } from "./nemesis/router.ts";
import { healAll, runSchedule } from "./nemesis/run-schedule.ts";
import { parseSchedule } from "./nemesis/spec-schema.ts";
import type { ScheduledFault } from "./nemesis/spec.ts";
import { acquireProxy } from "./proxy/source.ts";
import { createRunFolder, type RunFolder, writeJson } from "./run-folder.ts";
import { findScenario } from "./scenarios/index.ts";
import type { Quiesced, RunningScenario, Scenario } from "./scenarios/scenario.ts";

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
  schedule: ScheduledFault[];
  topology: ReturnType<ReturnType<typeof findScenario>["topology"]>;
} {
  const scenario = findScenario(config.scenario);
  const topology = scenario.topology(config);
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
  return { schedule, topology };
}

/** A nemesis the scenario itself offers (a composite sequence); undefined when none was asked for. */
function planScenarioNemesis(
  scenario: Scenario,
  config: TestConfig,
  topology: ReturnType<Scenario["topology"]>,
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

const asRandom = (p: Prng) => ({ float: () => p.float(), int: (n: number) => p.int(0, n - 1) });

export async function runTest(
  config: TestConfig,
  events: RunEvents,
  opts: {
    interrupt?: AbortSignal;
    onStarted?: (writer: HistoryWriter, running: RunningScenario) => void;
  } = {},
): Promise<RunOutcome> {
  const t0 = performance.now();
  const scenario = findScenario(config.scenario);
  const { schedule, topology } = planRun(config);

  const reaped = await reapLeftovers();
  if (reaped.killed > 0)
    events.log(`stopped ${reaped.killed} leftover process(es) of an earlier run that was killed`);

  const folder = createRunFolder(config.store, config.name);
  const prng = new Prng(config.seed);
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

  // A harness that exits without teardown (uncaught error, process.exit) still kills its servers.
  const onExit = () => supervisor.killAllSync();
  process.on("exit", onExit);

  let running: RunningScenario | undefined;
  let faultCtx: FaultContext | undefined;
  let finalStates: FinalStates | undefined;
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
    running = await scenario.start!({
      config,
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
    // The register keeps its historical fork name, so earlier seeds give the same operations.
    const workload = running.workload(asRandom(prng.fork(scenario.workload ?? "register")));
    const clients = await runClients({
      regions,
      concurrency: config.concurrency,
      rate: config.rate,
      opTimeoutMs: config.opTimeoutMs,
      random: asRandom(prng.fork("rate")),
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
  } catch (err) {
    if (!(err instanceof Interrupted)) throw err;
  } finally {
    enterStopping();
    if (faultCtx) {
      const healed = await healAll(faultCtx);
      for (const e of healed.errors) events.log(`heal: ${e}`);
    }
    await running?.stop().catch((e) => events.log(`stopping nodes: ${(e as Error).message}`));
    await supervisor.stopAll();
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
  const signals = computeSignals(history, readMetrics(folder.metrics));
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

/** metrics.jsonl as objects; a torn last line (a crash mid-write) is skipped. */
function readMetrics(path: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // Skip: metrics are measurements, not the record of what happened.
    }
  }
  return out;
}

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
