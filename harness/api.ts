/**
 * The programmatic API, for test suites (vitest, jest, node:test): `import { run, check } from
 * "faultline"`. The same options as the CLI's `run` and `check`, the same code behind them, and the
 * results object back instead of an exit code. Nothing is printed unless you pass `log`.
 *
 *   const r = await run("pg-async-replica", { timeLimit: 10, seed: 1 });
 *   expect(r.anomalyTypes).toContain("read-your-writes");
 *
 * A run that cannot start (bad option, unusable store, a store that fails to come up) throws a
 * FaultlineError; a run that ran returns, whatever its verdict.
 */
import type { History } from "../checkers/history/op.ts";
import type { AnomalyType, Results, Validity } from "../checkers/verdict.ts";
import type { Expectation } from "./cli/expectation.ts";
import type { RunFlags } from "./cli/run-command.ts";

export type { History, Op } from "../checkers/history/op.ts";
export type { Anomaly, AnomalyType, CheckerResult, Results, Validity } from "../checkers/verdict.ts";
export type { Expectation } from "./cli/expectation.ts";

/** `faultline run`'s flags, camelCased (`--time-limit 10` is `timeLimit: 10`). */
export interface RunOptions extends Omit<RunFlags, "json" | "progress" | "nemesis"> {
  /** Faults to inject: `["partition"]`, `"latency,clock"`, or `"none"`. */
  nemesis?: string[] | string;
  /** Receives the progress and log lines the CLI prints on stderr. */
  log?: (message: string) => void;
}

export interface RunResult {
  /** The combined verdict: true valid, false anomalies found, "unknown" undecided. */
  valid: Validity;
  anomalyTypes: AnomalyType[];
  /** Everything in the run folder's results.json: per-checker verdicts, anomalies, signals. */
  results: Results;
  /** Whether the verdict is what the scenario expects (a negative control finds its anomalies). */
  expectation: Expectation;
  /** The CLI's exit code for this run (with `expectMatch`, 0 exactly when the expectation holds). */
  exitCode: number;
  /** The run folder: history.jsonl, results.json, report.html, junit.xml, summary.md. */
  dir: string;
  seed: number;
  ops: number;
  wallMs: number;
}

/** `faultline check`'s flags. `initial` is the value itself, not JSON text. */
export interface CheckOptions {
  checker?: string;
  model?: string;
  initial?: unknown;
  consistencyModel?: string;
  /** Search budget, seconds; past it the verdict is "unknown". */
  timeLimit?: number;
  /** bank: the total every read must sum to; negative balances allowed. */
  total?: number;
  negativeBalances?: boolean;
  /** Write results.json, history.jsonl and report.html into this folder. */
  out?: string;
}

export interface CheckResult extends Results {
  /** The history file read (for a file or run-folder input). */
  file?: string;
  /** Total anomalies, counted as the report counts them. */
  anomalyCount: number;
  ms: number;
  /** Folder holding results.json and report.html, when they were written. */
  written?: string;
}

export class FaultlineError extends Error {
  override name = "FaultlineError";
  /** The CLI's exit code for this failure (3: could not run). */
  readonly exitCode: number;
  constructor(message: string, exitCode = 3) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Runs a scenario (default pg-async-replica) as `faultline run` does and returns its results. */
export async function run(scenario?: string, options: RunOptions = {}): Promise<RunResult> {
  const { configFromFlags, executeRun } = await import("./cli/run-command.ts");
  const { planRun } = await import("./run/runner.ts");
  const { DEFAULT_SCENARIO } = await import("./scenarios/index.ts");
  const { log, nemesis, ...rest } = options;
  const flags: RunFlags = {
    ...rest,
    nemesis: typeof nemesis === "string" ? nemesis.split(",").map((s) => s.trim()) : nemesis,
  };
  let config;
  try {
    config = configFromFlags(scenario ?? DEFAULT_SCENARIO, flags);
    planRun(config);
  } catch (err) {
    throw new FaultlineError((err as Error).message);
  }
  const out = await executeRun(config, { quiet: true, log, expectMatch: options.expectMatch });
  if (out.interrupted) throw new FaultlineError(`the run was interrupted; its history is in ${out.dir}`, 130);
  if (!out.results || !out.expectation || !out.dir)
    throw new FaultlineError(out.error ?? "the test could not run", out.code);
  return {
    valid: out.results.valid,
    anomalyTypes: out.results.anomalyTypes,
    results: out.results,
    expectation: out.expectation,
    exitCode: out.code,
    dir: out.dir,
    seed: out.seed,
    ops: out.ops ?? 0,
    wallMs: Math.round(out.wallMs ?? 0),
  };
}

/**
 * Checks a history as `faultline check` does: a file (history.jsonl, Jepsen EDN, JSON array), a
 * run folder (judged by the run's own checkers unless `checker` is given), or the operations
 * themselves. Bad input throws with the file and line.
 */
export async function check(input: string | History, options: CheckOptions = {}): Promise<CheckResult> {
  const { checkInput, checkHistory } = await import("./cli/check-command.ts");
  const { anomalyTotal } = await import("../checkers/verdict.ts");
  const flags = {
    ...options,
    initial: options.initial === undefined ? undefined : JSON.stringify(options.initial),
  };
  const count = (r: Results) =>
    Object.values(r.checkers).reduce(
      (n, c) => n + (c.valid === false || c.anomalies?.length ? anomalyTotal(c) : 0),
      0,
    );
  if (typeof input !== "string") {
    const started = performance.now();
    const results = await checkHistory(input, flags, options.out);
    return { ...results, anomalyCount: count(results), ms: Math.round(performance.now() - started) };
  }
  const c = await checkInput(input, flags, options.out);
  return { ...c.results, file: c.file, anomalyCount: count(c.results), ms: c.ms, written: c.written };
}
