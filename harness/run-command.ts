/**
 * `faultline run`: flags -> validated config -> run -> verdict on the terminal, reports in the run
 * folder, exit code. Ctrl-C stops the run cleanly (the history so far stays checkable); a second
 * Ctrl-C kills every process we started and exits at once.
 */
import { relative } from "node:path";
import type { Signals } from "../checkers/signals.ts";
import { EXIT, exitCodeFor, type Results } from "../checkers/verdict.ts";
import { DEFAULTS, randomSeed, type TestConfig, validateConfig } from "./config.ts";
import { RunProgress } from "./progress.ts";
import { planRun, runTest } from "./runner.ts";
import { DEFAULT_SCENARIO, findScenario } from "./scenarios/index.ts";

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
  net?: string;
  workloadOption?: string[];
  sloP99?: number;
  sloErrorRate?: number;
  sloLag?: number;
  sloFailover?: number;
  json?: boolean;
  progress?: boolean;
}

/** Scenario defaults, then global defaults, then flags; `undefined` flags do not override. */
export function configFromFlags(scenarioName: string, f: RunFlags): TestConfig {
  const scenario = findScenario(scenarioName);
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
    net: f.net as TestConfig["net"] | undefined,
    workloadOptions: workloadOptionsFromFlags(f.workloadOption),
    slo: sloFromFlags(f),
  };
  const flags = Object.fromEntries(Object.entries(picked).filter(([, v]) => v !== undefined));
  return validateConfig({
    ...DEFAULTS,
    ...scenario.defaults,
    ...flags,
    name: f.name ?? scenario.name,
    scenario: scenario.name,
    seed: f.seed ?? randomSeed(),
  });
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

/** Runs a validated config with progress and a verdict on the terminal. */
export async function executeRun(
  config: TestConfig,
  flags: Pick<RunFlags, "json" | "progress">,
): Promise<{ code: number; results?: Results; dir?: string }> {
  const say = (msg: string) => {
    if (!flags.json) console.error(msg);
  };
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
  const progress = flags.progress !== false && !flags.json ? new RunProgress(config.timeLimitS) : undefined;
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
      say(`faultline: interrupted after ${outcome.opCount} ops; history kept: ${dir}/history.jsonl`);
      say(`  check it with: npx faultline check ${dir}/history.jsonl`);
      if (flags.json)
        console.log(JSON.stringify({ dir: outcome.folder.dir, interrupted: true, ops: outcome.opCount }));
      return { code: 130, dir: outcome.folder.dir };
    }
    await writeRunReports(outcome.folder.dir, say);
    const r = outcome.results;
    if (flags.json) {
      console.log(
        JSON.stringify({
          dir: outcome.folder.dir,
          seed: config.seed,
          valid: r.valid,
          anomalyTypes: r.anomalyTypes,
          ops: outcome.opCount,
          wallMs: Math.round(outcome.wallMs),
        }),
      );
    } else {
      console.error(verdictLines(r, outcome.opCount, outcome.wallMs, dir, config.seed).join("\n"));
    }
    return { code: exitCodeFor(r.valid), results: r, dir: outcome.folder.dir };
  } catch (err) {
    progress?.stop();
    const e = err as Error;
    console.error(`faultline: the test could not run: ${e.message}`);
    if (process.env.FAULTLINE_DEBUG) console.error(e.stack);
    return { code: EXIT.error };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function writeRunReports(dir: string, say: (m: string) => void): Promise<void> {
  try {
    const { writeReports } = await import("../reports/write.ts");
    await writeReports(dir);
  } catch (err) {
    // A report that fails to render must not hide the verdict.
    say(`faultline: could not write reports: ${(err as Error).message}`);
  }
}

function verdictLines(r: Results, ops: number, wallMs: number, dir: string, seed: number): string[] {
  const head =
    r.valid === true
      ? "VALID: no anomalies found"
      : r.valid === false
        ? `INVALID: ${r.anomalyTypes.join(", ")}`
        : "UNKNOWN: the checkers could not decide";
  const lines = [``, head];
  for (const [name, c] of Object.entries(r.checkers)) {
    const n = c.anomalies.length;
    lines.push(
      `  ${name}: ${c.valid === true ? "valid" : c.valid === false ? `invalid (${n} anomal${n === 1 ? "y" : "ies"})` : `unknown${c.reason ? ` (${c.reason})` : ""}`}`,
    );
    const first = c.anomalies[0];
    if (first) lines.push(`    e.g. ${first.explanation}`);
  }
  const signals = r.signals as Partial<Signals>;
  for (const [pair, lag] of Object.entries(signals.replicationLagMs ?? {})) {
    lines.push(`  replication lag ${pair}: p50 ${lag.p50} ms, max ${lag.max} ms (${lag.samples} probes)`);
  }
  for (const f of signals.failover ?? []) {
    lines.push(
      `  failover to ${f.to}: first acknowledged write ${f.firstWriteAfterMs === null ? "never" : `${f.firstWriteAfterMs} ms`} after the fault began`,
    );
  }
  lines.push(`  ${ops} ops in ${(wallMs / 1000).toFixed(1)}s; seed ${seed}`);
  lines.push(`  report: ${dir}/report.html`);
  return lines;
}
