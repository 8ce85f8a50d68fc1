/**
 * `faultline run`: flags -> validated config -> run -> verdict on the terminal, reports in the run
 * folder, exit code. Ctrl-C stops the run cleanly (the history so far stays checkable); a second
 * Ctrl-C kills every process we started and exits at once. The verdict goes to stdout, progress and
 * logs to stderr.
 */
import { relative } from "node:path";
import type { Signals } from "../../checkers/signals.ts";
import { anomalyTotal, EXIT, exitCodeFor, type Results } from "../../checkers/verdict.ts";
import { conflictsOf, conflictsText } from "../../reports/conflicts.ts";
import { expectedCostText } from "../../reports/expected-cost.ts";
import { DEFAULTS, randomSeed, type TestConfig, validateConfig } from "../config.ts";
import { compareWithExpected, type Expectation } from "./expectation.ts";
import { RunProgress } from "./progress.ts";
import { planRun, runTest } from "../run/runner.ts";
import { DEFAULT_SCENARIO, findScenario } from "../scenarios/index.ts";
import { expectedOutcome } from "../scenarios/scenario.ts";
import { READ_POLICIES, type ReadPolicy } from "../scenarios/scenario.ts";
import { writeJson } from "../run-folder.ts";
import { prepareStoreDir } from "./store-dir.ts";

export interface RunFlags {
  timeLimit?: number;
  concurrency?: number;
  rate?: number;
  seed?: number;
  store?: string;
  name?: string;
  nemesis?: string[];
  nemesisInterval?: number;
  faultDuration?: number;
  latency?: number;
  opTimeout?: number;
  proxyUrl?: string;
  backend?: string;
  deployment?: string;
  net?: string;
  workloadOption?: string[];
  sloP99?: number;
  sloErrorRate?: number;
  sloLag?: number;
  sloFailover?: number;
  sloConflictRate?: number;
  sloStaleness?: number;
  reads?: string;
  json?: boolean;
  progress?: boolean;
  /** Exit 0 when the verdict is what the scenario expects, 1 when not (for CI jobs that test the test). */
  expectMatch?: boolean;
}

/** Scenario defaults, then global defaults, then flags; `undefined` flags do not override. */
export function configFromFlags(scenarioName: string, f: RunFlags): TestConfig {
  const scenario = findScenario(readVariant(scenarioName, f.reads));
  const picked: Partial<TestConfig> = {
    timeLimitS: f.timeLimit,
    concurrency: f.concurrency,
    rate: f.rate,
    store: f.store,
    nemesis: f.nemesis && (f.nemesis.length === 1 && f.nemesis[0] === "none" ? [] : f.nemesis),
    nemesisIntervalS: f.nemesisInterval,
    faultDurationS: f.faultDuration,
    latencyMs: f.latency,
    opTimeoutMs: f.opTimeout,
    proxyUrl: f.proxyUrl ?? process.env.TOXIPROXY_URL,
    backend: f.backend,
    deployment: f.deployment,
    net: f.net as TestConfig["net"] | undefined,
    workloadOptions: workloadOptionsFromFlags(f.workloadOption),
    reads: f.reads as TestConfig["reads"],
    slo: sloFromFlags(f),
  };
  const flags = Object.fromEntries(Object.entries(picked).filter(([, v]) => v !== undefined));
  // A scenario's `net: "netns"` is the local backend's packet network; docker brings its own
  // (iptables in the containers), so there it does not apply unless --net asks for it.
  const { net: scenarioNet, ...scenarioDefaults } = scenario.defaults ?? {};
  const net = f.backend === "docker" ? undefined : scenarioNet;
  return validateConfig({
    ...DEFAULTS,
    ...scenarioDefaults,
    ...(net ? { net } : {}),
    ...flags,
    name: f.name ?? scenario.name,
    scenario: scenario.name,
    seed: f.seed ?? randomSeed(),
  });
}

/** `--reads P` on a scenario that names a variant for P runs that variant (its own expectation);
 *  on any other scenario it overrides the read routing (config `reads`). */
function readVariant(scenarioName: string, reads: string | undefined): string {
  if (reads === undefined) return scenarioName;
  if (!(READ_POLICIES as readonly string[]).includes(reads))
    throw new Error(`--reads '${reads}': expected one of ${READ_POLICIES.join(", ")}`);
  return findScenario(scenarioName).readVariants?.[reads as ReadPolicy] ?? scenarioName;
}

/** `-w key=value` pairs; values are JSON where they parse (numbers, booleans), strings otherwise. */
function workloadOptionsFromFlags(pairs: string[] | undefined): Record<string, unknown> | undefined {
  if (!pairs?.length) return undefined;
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const i = p.indexOf("=");
    if (i <= 0) throw new Error(`--workload-option '${p}': expected key=value, e.g. opsPerKey=60`);
    const raw = p.slice(i + 1);
    try {
      out[p.slice(0, i)] = JSON.parse(raw);
    } catch {
      out[p.slice(0, i)] = raw;
    }
  }
  return out;
}

function sloFromFlags(f: RunFlags): TestConfig["slo"] {
  const slo = {
    p99LatencyMs: f.sloP99,
    maxErrorRate: f.sloErrorRate,
    maxReplicationLagMs: f.sloLag,
    maxFailoverMs: f.sloFailover,
    maxConflictRate: f.sloConflictRate,
    maxStalenessMs: f.sloStaleness,
  };
  const set = Object.entries(slo).filter(([, v]) => v !== undefined);
  return set.length ? Object.fromEntries(set) : undefined;
}

export async function runCommand(scenarioArg: string | undefined, flags: RunFlags): Promise<number> {
  let config: TestConfig;
  try {
    config = configFromFlags(scenarioArg ?? DEFAULT_SCENARIO, flags);
    // Nemesis names, shapes and schedule problems are reported before anything starts.
    planRun(config);
  } catch (err) {
    console.error(`faultline: ${(err as Error).message}`);
    return EXIT.error;
  }
  return (await executeRun(config, flags)).code;
}

/** What a finished (or interrupted) run gives back: the CLI prints it, the API returns it. */
export interface RunOutcomeSummary {
  /** 0 valid, 1 anomalies (or, with expectMatch, not what the scenario expects), 2 unknown, 3 could not run, 130 interrupted. */
  code: number;
  results?: Results;
  /** The run folder (absolute). */
  dir?: string;
  seed: number;
  ops?: number;
  wallMs?: number;
  interrupted?: boolean;
  /** Whether the verdict is what the scenario expects. */
  expectation?: Expectation;
  /** Why the run could not run, when code is 3. */
  error?: string;
}

export interface ExecuteOptions extends Pick<RunFlags, "json" | "progress" | "expectMatch"> {
  /** Print nothing (the programmatic API); progress and logs go to `log` if given. */
  quiet?: boolean;
  log?: (message: string) => void;
}

/**
 * Runs a validated config. The verdict and the run's summary go to stdout (`faultline run > run.log`
 * keeps them); progress and logs go to stderr.
 */
export async function executeRun(config: TestConfig, flags: ExecuteOptions): Promise<RunOutcomeSummary> {
  const quiet = flags.quiet === true;
  const say = (msg: string) => {
    if (flags.log) flags.log(msg);
    else if (!flags.json && !quiet) console.error(msg);
  };
  const print = (msg: string) => {
    if (!quiet) console.log(msg);
  };
  try {
    // Before anything starts: a store path that cannot hold a run folder fails now, with the reason.
    prepareStoreDir(config.store);
  } catch (err) {
    const message = (err as Error).message;
    if (!quiet) console.error(`faultline: ${message}`);
    return { code: EXIT.error, seed: config.seed, error: message };
  }
  say(
    `faultline: ${config.scenario}, seed ${config.seed}, ${config.timeLimitS}s, ${config.concurrency} clients/region, ${config.rate} ops/s`,
  );

  const interrupt = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      say(`\nfaultline: ${sig}: stopping the run and cleaning up (again to force)`);
      interrupt.abort();
    } else {
      process.exit(130);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const t0 = performance.now();
  const progress =
    flags.progress !== false && !flags.json && !quiet ? new RunProgress(config.timeLimitS) : undefined;
  try {
    const outcome = await runTest(
      config,
      {
        phase: (name, detail) => {
          if (name === "running") progress?.start();
          else if (name === "stopping") progress?.stop();
          const at = `[${((performance.now() - t0) / 1000).toFixed(1)}s]`;
          if (name !== "running") say(`  ${at} ${name}${detail ? `: ${detail}` : ""}`);
        },
        log: (m) => say(`  [${((performance.now() - t0) / 1000).toFixed(1)}s] ${m}`),
      },
      {
        interrupt: interrupt.signal,
        onStarted: (writer) => {
          if (progress) writer.onOp((op) => progress.observe(op));
        },
      },
    );
    const dir = relative(process.cwd(), outcome.folder.dir) || ".";
    if (outcome.interrupted || !outcome.results) {
      if (flags.json)
        print(JSON.stringify({ dir: outcome.folder.dir, interrupted: true, ops: outcome.opCount }));
      else {
        print(`INTERRUPTED after ${outcome.opCount} ops; history kept: ${dir}/history.jsonl`);
        print(`  results and report from it: npx faultline check ${dir}`);
      }
      return {
        code: 130,
        dir: outcome.folder.dir,
        seed: config.seed,
        ops: outcome.opCount,
        wallMs: outcome.wallMs,
        interrupted: true,
      };
    }
    const expectation = compareWithExpected(
      expectedOutcome(findScenario(config.scenario), config.nemesis),
      outcome.results,
    );
    // results.json says it too, so report.html, summary.md and junit.xml can.
    const r: Results = {
      ...outcome.results,
      expectation: { matches: expectation.matches, text: expectation.text },
    };
    writeJson(outcome.folder.results, r);
    await writeRunReports(outcome.folder.dir, say);
    const code = flags.expectMatch
      ? expectation.matches
        ? EXIT.valid
        : r.valid === "unknown"
          ? EXIT.unknown
          : EXIT.invalid
      : exitCodeFor(r.valid);
    if (flags.json) {
      print(
        JSON.stringify({
          dir: outcome.folder.dir,
          seed: config.seed,
          valid: r.valid,
          anomalyTypes: r.anomalyTypes,
          anomalyCount: countAnomalies(r),
          expectedValid: expectation.expectedValid,
          expectedAnomalies: expectation.expectedAnomalies,
          matchesExpected: expectation.matches,
          ops: outcome.opCount,
          wallMs: Math.round(outcome.wallMs),
        }),
      );
    } else {
      // The verdict is stdout's first line (`faultline run | head -1`); the gap above it is stderr's.
      say("");
      print(verdictLines(r, outcome.opCount, outcome.wallMs, dir, config.seed, expectation).join("\n"));
    }
    return {
      code,
      results: r,
      dir: outcome.folder.dir,
      seed: config.seed,
      ops: outcome.opCount,
      wallMs: outcome.wallMs,
      expectation,
    };
  } catch (err) {
    progress?.stop();
    const e = err as Error;
    if (!quiet) console.error(`faultline: the test could not run: ${e.message}`);
    if (process.env.FAULTLINE_DEBUG) console.error(e.stack);
    return { code: EXIT.error, seed: config.seed, error: e.message };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function writeRunReports(dir: string, say: (m: string) => void): Promise<void> {
  try {
    const { writeReports } = await import("../../reports/write.ts");
    await writeReports(dir);
  } catch (err) {
    // A report that fails to render must not hide the verdict.
    say(`faultline: could not write reports: ${(err as Error).message}`);
  }
}

/** Counted anomalies over every checker, as the report's headline counts them. */
function countAnomalies(r: Results): number {
  return Object.values(r.checkers).reduce(
    (n, c) => n + (c.valid === false || c.anomalies?.length ? anomalyTotal(c) : 0),
    0,
  );
}

function verdictLines(
  r: Results,
  ops: number,
  wallMs: number,
  dir: string,
  seed: number,
  expectation: Expectation,
): string[] {
  const head =
    r.valid === true
      ? "VALID: no anomalies found"
      : r.valid === false
        ? `INVALID: ${countAnomalies(r)} anomalies: ${r.anomalyTypes.join(", ")}`
        : "UNKNOWN: the checkers could not decide";
  const lines = [head, `  ${expectation.text}`];
  for (const [name, c] of Object.entries(r.checkers)) {
    const n = anomalyTotal(c);
    lines.push(
      `  ${name}: ${c.valid === true ? "valid" : c.valid === false ? `invalid (${n} anomal${n === 1 ? "y" : "ies"})` : `unknown${c.reason ? ` (${c.reason})` : ""}`}`,
    );
    const first = c.anomalies[0];
    if (first) lines.push(`    e.g. ${first.explanation}`);
    const cost = expectedCostText(c);
    if (cost) lines.push(`    ${cost}`);
  }
  const signals = r.signals as Partial<Signals>;
  for (const [pair, lag] of Object.entries(signals.replicationLagMs ?? {})) {
    lines.push(`  replication lag ${pair}: p50 ${lag.p50} ms, max ${lag.max} ms (${lag.samples} probes)`);
  }
  // What reads cost and how stale they were, per region (a read policy's price and its result).
  const reads = Object.entries(signals.regions ?? {}).filter(([, s]) => s.byF?.read);
  if (reads.length)
    lines.push(
      `  reads: ${reads.map(([region, s]) => `${region} p50 ${s.byF!.read!.latencyMs.p50} ms, p99 ${s.byF!.read!.latencyMs.p99} ms`).join("; ")}`,
    );
  const stale = Object.entries(signals.staleness ?? {}).filter(([, s]) => s.stale > 0);
  if (stale.length)
    lines.push(
      `  stale reads: ${stale.map(([region, s]) => `${region} ${s.stale}/${s.reads} (p50 ${s.staleMs.p50} ms, max ${s.staleMs.max} ms)`).join("; ")}`,
    );
  const queue = r.signals.reconciliation as
    | { queued: number; resolved: number; pending: number; resolutionLatencyMs: { p50: number; max: number } }
    | undefined;
  if (queue)
    lines.push(
      `  reconciliation queue: ${queue.queued} conflicts queued, ${queue.resolved} resolved (p50 ${queue.resolutionLatencyMs.p50} ms, max ${queue.resolutionLatencyMs.max} ms after queueing), ${queue.pending} pending`,
    );
  const conflicts = conflictsOf(r.signals);
  if (conflicts) lines.push(...conflictsText(conflicts, signals.writes).map((l) => `  ${l}`));
  for (const f of signals.failover ?? []) {
    lines.push(
      `  failover to ${f.to}: first acknowledged write ${f.firstWriteAfterMs === null ? "never" : `${f.firstWriteAfterMs} ms`} after the fault began`,
    );
  }
  lines.push(`  ${ops} ops in ${(wallMs / 1000).toFixed(1)}s; seed ${seed}`);
  lines.push(`  report: ${dir}/report.html`);
  return lines;
}
