/**
 * Runs one test end to end: start the world, run clients and faults, tear everything down,
 * check the history, write results and reports. Teardown always runs, whatever happened.
 */
import { readFileSync } from "node:fs";
import { parseHistory } from "../checkers/history/parse.ts";
import type { Results } from "../checkers/verdict.ts";
import { RegisterGenerator } from "../workloads/register.ts";
import { runCheckers } from "./check-history.ts";
import { runClients } from "./client-loop.ts";
import type { TestConfig } from "./config.ts";
import { Prng } from "./generator/prng.ts";
import { HistoryWriter } from "./history-writer.ts";
import { MetricsWriter } from "./metrics-writer.ts";
import { createRunFolder, type RunFolder, writeJson } from "./run-folder.ts";
import { findScenario } from "./scenarios/index.ts";
import type { RunningScenario } from "./scenarios/scenario.ts";

export interface RunEvents {
  /** A phase begins: "starting", "running", "healing", "stopping", "checking". */
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

export async function runTest(
  config: TestConfig,
  events: RunEvents,
  opts: { interrupt?: AbortSignal; onStarted?: (writer: HistoryWriter) => void } = {},
): Promise<RunOutcome> {
  const t0 = performance.now();
  const scenario = findScenario(config.scenario);
  const topology = scenario.topology(config);
  const folder = createRunFolder(config.store, config.name);
  const prng = new Prng(config.seed);

  writeJson(folder.testJson, { ...config, topology, startedAt: new Date().toISOString() });
  const writer = new HistoryWriter(folder.history);
  const metrics = new MetricsWriter(folder.metrics, () => writer.now());
  let running: RunningScenario | undefined;
  let interrupted = false;

  const stopClients = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, config.timeLimitS * 1000);
    opts.interrupt?.addEventListener("abort", () => {
      interrupted = true;
      clearTimeout(timer);
      resolve();
    });
  });

  try {
    events.phase("starting", `${scenario.name}: ${topology.nodes.map((n) => n.name).join(", ")}`);
    running = await scenario.start!({ config, folder, proxyUrl: "", log: events.log });
    opts.onStarted?.(writer);
    const probes = running.startProbes?.(metrics);
    events.phase("running");
    const asRandom = (p: Prng) => ({ float: () => p.float(), int: (n: number) => p.int(0, n - 1) });
    await runClients({
      regions: topology.regions.map((r) => r.name),
      concurrency: config.concurrency,
      rate: config.rate,
      opTimeoutMs: config.opTimeoutMs,
      random: asRandom(prng.fork("rate")),
      generator: new RegisterGenerator(asRandom(prng.fork("register")), {
        opsPerKey: config.opsPerKey,
        keysInFlight: config.keysInFlight,
      }),
      scenario: running,
      writer,
      stop: stopClients,
    });
    await probes?.stop();
  } finally {
    events.phase("stopping");
    await running?.stop();
    writer.close();
    metrics.close();
  }

  if (interrupted) return { folder, interrupted, opCount: writer.count, wallMs: performance.now() - t0 };

  events.phase("checking", `${writer.count} ops`);
  const history = parseHistory(readFileSync(folder.history, "utf8"), { fileName: folder.history });
  const results = await runCheckers(history, running.checkers);
  writeJson(folder.results, results);
  return { folder, results, interrupted, opCount: writer.count, wallMs: performance.now() - t0 };
}
